// Shared helpers for the qdisc tests: skbs made by hand, a sink that books
// drops and frees, and an env with per-socket priority and rates.
import type { Core } from "../../src/core/core.js";
import { SK_NONE, SockState, type QdiscEnv } from "../../src/qdisc/index.js";

export interface Pkt {
  sk?: number;
  len?: number;
  tstamp?: number;
  hash?: number;
}

export function mkSkb(core: Core, p: Pkt = {}): number {
  const h = core.allocOne(0);
  if (h < 0) throw new Error("skb pool exhausted");
  core.skb.len[h] = p.len ?? 1514;
  core.skb.sk[h] = p.sk ?? SK_NONE;
  core.skb.hash[h] = p.hash ?? 0;
  core.skb.gsoSize[h] = 0;
  core.skb.next[h] = 0xffffffff;
  core.skbTime.tstamp[h] = p.tstamp ?? 0;
  return h;
}

export class Sink {
  readonly reasons: string[] = [];
  readonly handles: number[] = [];
  constructor(private readonly core: Core) {}
  drop(h: number, reason: string): void {
    this.reasons.push(reason);
    this.handles.push(h);
    this.core.freeOne(h);
  }
}

export interface SockSpec {
  prio?: number;
  state?: number;
  tcp?: boolean;
  hash?: number;
  pacingRate?: number;
  maxPacingRate?: number;
}

/** Env over a socket table; skb priority is its socket's sk_priority. */
export function envOf(core: Core, socks: Map<number, SockSpec>): QdiscEnv & { fqPaced: Set<number> } {
  const fqPaced = new Set<number>();
  const s = (sk: number): SockSpec => socks.get(sk) ?? {};
  return {
    fqPaced,
    priority: (h) => {
      const sk = core.skb.sk[h]!;
      return sk === SK_NONE ? 0 : (s(sk).prio ?? 0);
    },
    sockState: (sk) => s(sk).state ?? SockState.FULL,
    isTcp: (sk) => s(sk).tcp ?? true,
    sockHash: (sk) => s(sk).hash ?? 0,
    pacingRate: (sk) => s(sk).pacingRate ?? Infinity,
    maxPacingRate: (sk) => s(sk).maxPacingRate ?? Infinity,
    setPacingStatusFq: (sk) => void fqPaced.add(sk),
    orphan: () => {},
  };
}
