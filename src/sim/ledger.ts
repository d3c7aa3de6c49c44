// The packet ledger: every skb a run creates is, at the end, delivered,
// dropped with a named reason, or still in flight. Reasons use the names of
// Linux's enum skb_drop_reason (include/net/dropreason-core.h) where one
// exists; the few model-only reasons are listed in MODEL_DROP_REASONS.

/** Drop reasons with no kernel counterpart (they happen outside the host). */
export const MODEL_DROP_REASONS = {
  /** Lost on the wire by the link's loss model. */
  LINK_LOSS: "lost on the link (loss model)",
  /** NIC RX descriptor ring full: the NIC drops it (ethtool rx_missed_errors). */
  NIC_RX_MISSED: "NIC RX ring full (rx_missed_errors)",
} as const;

export interface LedgerReport {
  created: number;
  delivered: number;
  dropped: Record<string, number>;
  inFlight: number;
  unaccounted: number;
}

export class Ledger {
  created = 0;
  delivered = 0;
  private readonly drops = new Map<string, number>();
  private lastReason: string | null = null;
  private lastCount = 0;

  create(n = 1): void {
    this.created += n;
  }

  deliver(n = 1): void {
    this.delivered += n;
  }

  drop(reason: string, n = 1): void {
    // a flood drops run after run for one reason: its count stays in hand
    // (reasons are string constants, so the test is a pointer compare)
    if (reason !== this.lastReason) {
      if (this.lastReason !== null) this.drops.set(this.lastReason, this.lastCount);
      this.lastReason = reason;
      this.lastCount = this.drops.get(reason) ?? 0;
    }
    this.lastCount += n;
  }

  /** Put the count in hand back in the map. */
  private settle(): void {
    if (this.lastReason !== null) this.drops.set(this.lastReason, this.lastCount);
  }

  droppedTotal(): number {
    this.settle();
    let t = 0;
    for (const v of this.drops.values()) t += v;
    return t;
  }

  /** Close the ledger given what the queues still hold. */
  report(inFlight: number): LedgerReport {
    this.settle();
    const dropped: Record<string, number> = {};
    for (const k of [...this.drops.keys()].sort()) dropped[k] = this.drops.get(k)!;
    return {
      created: this.created,
      delivered: this.delivered,
      dropped,
      inFlight,
      unaccounted: this.created - this.delivered - this.droppedTotal() - inFlight,
    };
  }
}
