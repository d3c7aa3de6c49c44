// A full-duplex link between two NICs: per direction a transmitter that
// serializes one frame at a time (wire bytes x 8 / rate), then propagation
// delay, with optional random loss and reordering from the run's seeded RNG.
import type { EventLoop } from "../sim/loop.js";
import type { Rng } from "../sim/rng.js";
import type { Nic, DropSink } from "./nic.js";
import { serializationNs } from "./wire-time.js";

export interface LinkConfig {
  rateBps: number;
  delayNs: number;
  /** Probability a frame is lost on the wire. */
  loss: number;
  /** Probability a frame is delayed enough to arrive after its successor. */
  reorder: number;
}

/** Called with every frame as it leaves the sender (pcap capture). */
export type WireTap = (h: number, timeNs: number) => void;

export class LinkDirection {
  packets = 0;
  bytes = 0;
  /** Frames on the wire (serialized, not yet arrived). */
  inTransit = 0;
  private busy = false;
  private current = -1;
  private readonly kindTxDone: number;
  private readonly kindArrive: number;
  private readonly rateBps: number;

  constructor(
    readonly from: Nic,
    readonly to: Nic,
    readonly fromName: string,
    readonly toName: string,
    private readonly config: LinkConfig,
    private readonly loop: EventLoop,
    private readonly rng: Rng,
    private readonly skbLen: Uint32Array,
    private readonly drops: DropSink,
    private readonly tap: WireTap | null,
  ) {
    // The slower of the link and the sending NIC sets the pace.
    this.rateBps = Math.min(config.rateBps, from.config.rateBps);
    this.kindTxDone = loop.register(`link ${fromName}->${toName} tx-done`, () => this.txDone());
    this.kindArrive = loop.register(`link ${fromName}->${toName} arrive`, (h) => this.arrive(h));
    from.onTxReady = () => this.kick();
  }

  /** Start serializing the next frame if the transmitter is idle. */
  kick(): void {
    if (this.busy) return;
    const h = this.from.txPop();
    if (h < 0) return;
    this.busy = true;
    this.current = h;
    this.loop.after(serializationNs(this.skbLen[h]!, this.rateBps), this.kindTxDone, 0);
  }

  private txDone(): void {
    const h = this.current;
    this.busy = false;
    this.current = -1;
    this.packets++;
    this.bytes += this.skbLen[h]!;
    if (this.tap !== null) this.tap(h, this.loop.now);
    if (this.config.loss > 0 && this.rng.float() < this.config.loss) {
      this.drops.drop(h, "LINK_LOSS");
    } else {
      let delay = this.config.delayNs;
      // A reordered frame is held back by two serialization times, enough for
      // the next frame to overtake it.
      if (this.config.reorder > 0 && this.rng.float() < this.config.reorder) {
        delay += 2 * serializationNs(this.skbLen[h]!, this.rateBps);
      }
      this.inTransit++;
      this.loop.after(delay, this.kindArrive, h);
    }
    this.from.txComplete();
    this.kick();
  }

  private arrive(h: number): void {
    this.inTransit--;
    this.to.receive(h);
  }

  /** Frames this direction holds: one being serialized plus those in transit. */
  held(): number {
    return (this.busy ? 1 : 0) + this.inTransit;
  }
}

export class Link {
  constructor(
    readonly a: string,
    readonly b: string,
    readonly aToB: LinkDirection,
    readonly bToA: LinkDirection,
  ) {}
}
