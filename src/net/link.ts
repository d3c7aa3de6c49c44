// A full-duplex link between two NICs: per direction a transmitter that
// serializes one frame at a time (wire bytes x 8 / rate), then propagation
// delay, with optional random loss and reordering from the run's seeded RNG.
//
// Two ways to run a direction, with the same times and counts:
// - train (the default): the transmitter takes a whole TX descriptor at once
//   (a TSO skb's segments back to back, or one frame). Each frame's start,
//   end of serialization and arrival are computed when the descriptor goes on
//   the wire (arithmetic: start_i+1 = end_i = start_i + ser_i, arrival_i =
//   end_i + delay) and kept in a timed FIFO (wire-fifo.ts). Events: one when
//   the descriptor's last frame has left (its TX completion, then the next
//   descriptor), unless that completion would only be counted under tx-usecs
//   coalescing (NicTx.completionQuietUntil: counted at once, and on a
//   one-queue NIC the plain frames queued behind it join the train), and a wake-up at the first arrival the far NIC would react
//   to (an unmasked RX queue with no coalescing timer running, or the frame
//   that fills rx-frames: Nic.rxSilentArrivals). Otherwise frames land on the far rings when
//   the NIC next looks (its poll, IRQ re-enable, timer, a report): every
//   frame that has arrived by then, in order, as they would have landed
//   one by one (nothing takes them off a ring in between). At equal times a
//   frame counts as arrived before whatever else happens then, except before
//   a TX completion IRQ (RxSource.pullFor): per frame, the events of one
//   instant run in insertion order, so a frame arriving then lands first only
//   if it left before the IRQ's event was inserted (its timer's arming, or the
//   start of serialization of the frame whose completion raised it: tx-frames).
//   Counters that change per frame as it starts or ends (link packets/bytes,
//   the queue's tx packets/bytes) are brought up to `now` lazily, whenever
//   they are read and before a frame leaves the FIFO.
// - per frame: one event as each frame leaves, one per arrival. Needed when
//   something must happen at each frame's departure in time order across
//   directions: random loss or reordering (draws from the shared RNG) and a
//   capture tap (pcap records in time order). The tie rule is train mode's:
//   whatever reads or changes the far NIC's RX state at a frame's arrival
//   instant lands that frame first (Nic.pull -> pullInTransit), even when
//   its arrival event comes later in the instant's insertion order; and the
//   link counters count a frame whose serialization ends now. So a capture
//   tap leaves the report as it is, apart from `events`.
import type { EventLoop } from "../sim/loop.js";
import type { Rng } from "../sim/rng.js";
import { NIC_RX_BURST, type Nic, type DropSink } from "./nic.js";
import { serializationNs } from "./wire-time.js";
import { T_BEFORE, T_ENQ, T_POST, T_SER, T_START, WireFifo } from "./wire-fifo.js";
import { GSO_OUT_SLOTS } from "./nic-tx.js";
import { F64Keys, f64Fields } from "../util/f64-field.js";

export interface LinkConfig {
  rateBps: number;
  delayNs: number;
  /** Probability a frame is lost on the wire. */
  loss: number;
  /** Probability a frame is delayed enough to arrive after its successor. */
  reorder: number;
  /** How long a reordered frame is held back past its arrival time (unset: two serialization times of
   *  that frame, enough for a back-to-back successor to overtake it). */
  reorderDelayNs?: number;
}

/** Called with every frame as it leaves the sender (pcap capture). */
export type WireTap = (h: number, timeNs: number) => void;

/** A byte total and an ns time: doubles from the start (util/f64-field.ts). */
const LINK_F64 = new F64Keys(["nBytes", "busyEnd", "curEnd"]);

export class LinkDirection {
  private nPackets = 0;
  private nBytes = 0;
  /** Train mode: frames xmit put on the wire in one step (sendQuiet); the model's, not a kernel counter. */
  quietSends = 0;
  /** Per frame mode: frames on the wire (serialized, not yet arrived). */
  inTransit = 0;
  /** Per frame mode: when the frame being serialized ends. */
  private curEnd = 0;
  /** Per frame mode: the frames on the way, in departure order (arrival events carry the sequence number;
   *  a pull at an arrival instant delivers a frame before its event, which then finds it done). */
  private pfH = new Uint32Array(0);
  private pfSeq = new Uint32Array(0);
  private pfEnd = new Float64Array(0);
  private pfArr = new Float64Array(0);
  private pfDone = new Uint8Array(0);
  private pfHead = 0;
  private pfTail = 0;
  private pfMask = -1;
  private busy = false;
  /** Train mode: when the descriptor on the wire has left; whether a tx-done
   *  event is armed then, and whether its completion is still to be done there. */
  private busyEnd = 0;
  private doneArmed = false;
  private needsDone = false;
  private current = -1;
  private readonly kindTxDone: number;
  private readonly kindArrive: number;
  private readonly rateBps: number;
  /** Train mode (no loss, no reordering, no tap). */
  readonly train: boolean;
  private readonly fifo: WireFifo;
  private readonly trainBuf = new Uint32Array(GSO_OUT_SLOTS);
  /** Handles of a quiet run of plain frames (quietRun). */
  private readonly runBuf = new Uint32Array(256);
  /** Time of the earliest wake-up armed (Infinity: none). */
  private wakeAt = Infinity;
  private pulling = false;
  /** This direction's rate, delay, loss and reorder (a copy of the link's). Read later: delay (each frame or
   *  train), loss and reorder (per frame mode only); rate only here, in the constructor (rateBps). */
  private readonly config: LinkConfig;

  constructor(
    readonly from: Nic,
    readonly to: Nic,
    readonly fromName: string,
    readonly toName: string,
    config: LinkConfig,
    private readonly loop: EventLoop,
    private readonly rng: Rng,
    private readonly skbLen: Uint32Array,
    private readonly drops: DropSink,
    private readonly tap: WireTap | null,
  ) {
    f64Fields(this, LINK_F64);
    // each direction its own copy, so a test that cuts one direction (loss, in a per-frame direction) leaves the other
    this.config = { ...config };
    // The slower of the link and the sending NIC sets the pace.
    this.rateBps = Math.min(config.rateBps, from.config.rateBps);
    this.train = config.loss <= 0 && config.reorder <= 0 && tap === null;
    this.fifo = new WireFifo(this.rateBps);
    if (this.train) {
      this.kindTxDone = loop.register(`link ${fromName}->${toName} tx-done`, () => this.trainDone());
      this.kindArrive = loop.register(`link ${fromName}->${toName} arrive`, () => this.wakeFired());
      from.tx.syncWire = () => this.sync();
      to.attachRxSource({ pull: () => this.pullArrived(), wake: () => this.armWake(), pullFor: (ins) => this.pullFor(ins) });
      from.onTxReady = () => this.kickTrain();
      // (a NIC that can never go quiet: no tx-usecs, or several TX queues; xmit then skips the call)
      if (from.tx.quietCapable) from.tx.quietWire = this;
    } else {
      this.kindTxDone = loop.register(`link ${fromName}->${toName} tx-done`, () => this.txDone());
      this.kindArrive = loop.register(`link ${fromName}->${toName} arrive`, (seq) => this.arrive(seq));
      from.onTxReady = () => this.kick();
      this.pfGrow(64);
      to.attachRxSource({ pull: () => this.pullInTransit(), wake: () => {}, pullFor: () => {} });
    }
  }

  /** Frames that have finished serialization (by now: a frame ending now counts, as train mode's sync). */
  get packets(): number {
    if (this.train) this.sync();
    else if (this.busy && this.curEnd <= this.loop.now) return this.nPackets + 1;
    return this.nPackets;
  }

  /** Bytes (skb->len) of the frames that have finished serialization (by now). */
  get bytes(): number {
    if (this.train) this.sync();
    else if (this.busy && this.curEnd <= this.loop.now) return this.nBytes + this.skbLen[this.current]!;
    return this.nBytes;
  }

  // ---- train mode ----

  /** Put the next TX descriptor on the wire whole if the transmitter is idle. */
  private kickTrain(): void {
    if (this.busy) {
      if (this.doneArmed) return;
      // the descriptor on the wire completed quietly (already counted): it leaves at busyEnd
      if (this.loop.now < this.busyEnd) {
        if (!this.from.tx.hasUnsent()) return;
        // the transmitter takes the next descriptor as that one's last frame leaves
        if (this.from.tx.nextIsPlainFrame()) this.trainFrom(this.busyEnd);
        else this.armDone();
        return;
      }
      this.busy = false;
    }
    this.trainFrom(this.loop.now);
  }

  /** NicTx.xmit's first step: a frame the NIC would post and the wire take at once (NicTx.postQuietIf:
   *  the bypass to a running one-queue ring with nothing else unsent; the wire idle, or busy with a
   *  descriptor whose completion was counted quietly, so no tx-done event is armed) and whose own
   *  completion would only be counted (at its end) goes on the wire in one step, as xmit, kickTrain
   *  and trainFrom would put it: from now, or from the end of the frame on the wire (the transmitter
   *  takes a plain frame as that one leaves). False: nothing done. */
  sendQuiet(h: number): boolean {
    if (this.doneArmed) return false;
    const tx = this.from.tx;
    const now = this.loop.now;
    const t0 = this.busy && now < this.busyEnd ? this.busyEnd : now;
    const f = this.fifo;
    const tm = f.times;
    // the frame's serialization time once: pushOne places it with the same sum pushTrain makes
    const ser = serializationNs(this.skbLen[h]!, this.rateBps);
    tx.quietEnd[0] = t0 + ser;
    if (!tx.postQuietIf(h)) return false;
    this.quietSends++;
    tm[T_START] = t0;
    tm[T_SER] = ser;
    tm[T_ENQ] = now;
    tm[T_POST] = now;
    f.pushOne(h, this.skbLen, this.config.delayNs);
    this.busyEnd = tm[T_START]!;
    this.busy = true;
    this.armWake();
    return true;
  }

  /** Descriptors go on the wire from time t0, back to back, as long as each
   *  one's completion would only be counted (NicTx.completionQuietUntil: then
   *  nothing reads the count before it leaves, so it is counted now) and the
   *  next is a plain frame of the one TX queue (NicTx.nextIsPlainFrame: taking
   *  it now or when the previous leaves is the same). An event is armed at the
   *  last one's end when its completion does more, or a descriptor waits that
   *  the wire must pick when it is free. */
  private trainFrom(t0: number): void {
    const buf = this.trainBuf;
    const tx = this.from.tx;
    const len = this.skbLen;
    const delay = this.config.delayNs;
    const f = this.fifo;
    const tm = f.times;
    let t = t0;
    for (;;) {
      const k = tx.txPopTrain(buf);
      if (k === 0) break;
      tm[T_START] = t;
      tm[T_ENQ] = tx.trainEnqT;
      tm[T_POST] = tx.trainPostT;
      f.pushTrain(buf, k, tx.wireQueue, len, delay);
      t = tm[T_START]!;
      this.busy = true;
      this.busyEnd = t;
      if (!tx.completionQuietUntil(t)) {
        this.needsDone = true;
        this.armDone();
        break;
      }
      this.from.txComplete();
      if (!tx.hasUnsent()) break;
      if (!tx.nextIsPlainFrame()) {
        this.armDone();
        break;
      }
      // the plain frames after it whose completions would be quiet too go on in one step
      if (this.quietRun(t)) {
        t = this.busyEnd;
        if (!tx.hasUnsent()) break;
        if (!tx.nextIsPlainFrame()) {
          this.armDone();
          break;
        }
      }
    }
    this.armWake();
  }

  /** The run step of trainFrom from time t0: the next descriptors of a one-TX-queue NIC that are plain
   *  frames, each completed quietly (NicTx.peekQuietRun), onto the wire in one FIFO push and counted
   *  done at once, as as many turns of trainFrom's loop would (txPopTrain, pushTrain,
   *  completionQuietUntil true, txComplete). Whether any went (busyEnd: the last one's end). */
  private quietRun(t0: number): boolean {
    const tx = this.from.tx;
    const buf = this.runBuf;
    const tm = this.fifo.times;
    let t = t0;
    let any = false;
    for (;;) {
      const n = tx.peekQuietRun(buf, buf.length);
      if (n === 0) break;
      tm[T_START] = t;
      tm[T_BEFORE] = tx.quietRunBefore[0]!;
      const m = this.fifo.pushRun(buf, n, 0, this.skbLen, this.config.delayNs, tx.enqT, tx.postT);
      if (m === 0) break;
      tx.takeQuietRun(buf, m);
      t = tm[T_START]!;
      this.busyEnd = t;
      any = true;
      if (m < n || n < buf.length) break;
    }
    return any;
  }

  private armDone(): void {
    this.doneArmed = true;
    this.loop.at(this.busyEnd, this.kindTxDone, 0);
  }

  /** Wake the far NIC at the first arrival it would react to; the frames
   *  before that one only land on their rings, and are pulled with it. */
  private armWake(): void {
    const f = this.fifo;
    if (f.length === 0) return;
    const k = this.to.rxSilentArrivals();
    if (k < 0 || k >= f.length) return;
    const t = f.arrivalAt(k);
    if (t >= this.wakeAt) return;
    this.wakeAt = t;
    this.loop.at(t, this.kindArrive, 0);
  }

  private wakeFired(): void {
    // a wake-up armed for later than an earlier one only pulls (frames land as they would have)
    if (this.wakeAt <= this.loop.now) this.wakeAt = Infinity;
    this.pullArrived();
    this.armWake();
  }

  /** Per-frame mode runs events of one instant in insertion order, and inserts a frame's arrival as it
   *  leaves (its end of serialization): before an event inserted at `insertedAt`, the frames arriving now
   *  land first only if they left before it; those arriving before now always do. The FIFO's stored ends
   *  decide, not now − delay (f64 rounding can move that by an ulp). */
  private pullFor(insertedAt: number): void {
    const k = this.fifo.arrivedFor(this.loop.now, insertedAt);
    if (k > 0) this.pullArrived(this.loop.now, k);
  }

  /** Frames that have arrived by `upTo` (default now), at most `limit` of them, enter the far NIC, in order. */
  private pullArrived(upTo = this.loop.now, limit = 0x7fffffff): void {
    const f = this.fifo;
    // the NIC asks again from inside receive() (an IRQ it raises): the frames before are in
    if (this.pulling || f.length === 0) return;
    const now = upTo;
    if (f.headArrival() > now) return;
    this.pulling = true;
    this.sync();
    // in bursts: one RSS call and one ring enqueue per queue for each (Nic.receiveBurst)
    const out = this.to.handOver;
    const cont = this.to.handOverCont;
    let left = limit;
    while (left > 0) {
      const n = f.takeArrived(now, out, cont, left < NIC_RX_BURST ? left : NIC_RX_BURST);
      if (n === 0) break;
      left -= n;
      this.to.receiveHandedOver(n);
    }
    this.pulling = false;
  }

  /** The descriptor's last frame has left the NIC: its completion (unless it
   *  was counted quietly), then the next descriptor. */
  private trainDone(): void {
    this.doneArmed = false;
    this.busy = false;
    if (this.needsDone) {
      this.needsDone = false;
      // the descriptor's last frame, the FIFO's last train (nothing went on after it while needsDone)
      this.from.tx.frameStart[0] = this.fifo.trainLastStart[0]!;
      this.from.txComplete();
    }
    this.kickTrain();
  }

  /** Count the frames that have started (queue counters) and ended (link counters) by now. */
  private sync(): void {
    const f = this.fifo;
    const now = this.loop.now;
    f.countStarted(now, this.from.tx.wireCounters);
    const k = f.countEnded(now);
    if (k > 0) {
      this.nPackets += k;
      this.nBytes += f.endedBytes;
    }
  }

  // ---- per frame mode ----

  /** Start serializing the next frame if the transmitter is idle. */
  kick(): void {
    if (this.train) {
      this.kickTrain();
      return;
    }
    if (this.busy) return;
    const h = this.from.txPop();
    if (h < 0) return;
    this.busy = true;
    this.current = h;
    this.from.tx.frameStart[0] = this.loop.now;
    const ser = serializationNs(this.skbLen[h]!, this.rateBps);
    this.curEnd = this.loop.now + ser;
    this.loop.after(ser, this.kindTxDone, 0);
  }

  private txDone(): void {
    const h = this.current;
    this.busy = false;
    this.current = -1;
    this.nPackets++;
    this.nBytes += this.skbLen[h]!;
    if (this.tap !== null) this.tap(h, this.loop.now);
    if (this.config.loss > 0 && this.rng.float() < this.config.loss) {
      this.drops.drop(h, "LINK_LOSS");
    } else {
      let delay = this.config.delayNs;
      // A reordered frame is held back (reorderDelay, or two serialization times: enough for a
      // back-to-back successor to overtake it); everything that arrives meanwhile overtakes it.
      if (this.config.reorder > 0 && this.rng.float() < this.config.reorder) {
        const hold = this.config.reorderDelayNs;
        delay += hold !== undefined ? hold : 2 * serializationNs(this.skbLen[h]!, this.rateBps);
      }
      this.inTransit++;
      this.loop.after(delay, this.kindArrive, this.pfPush(h, this.loop.now, this.loop.now + delay));
    }
    this.from.txComplete();
    this.kick();
  }

  private arrive(seq: number): void {
    const i = seq & this.pfMask;
    // delivered already by a pull at this instant (pullInTransit)
    if (this.pfSeq[i] !== seq || this.pfDone[i] !== 0) return;
    this.deliver(i);
  }

  private deliver(i: number): void {
    this.pfDone[i] = 1;
    this.inTransit--;
    this.pulling = true;
    this.to.receive(this.pfH[i]!);
    this.pulling = false;
    while (this.pfHead !== this.pfTail && this.pfDone[this.pfHead & this.pfMask] !== 0) this.pfHead = (this.pfHead + 1) >>> 0;
  }

  /** The far NIC reads or changes its RX state: the frames arriving now land first (train mode's rule:
   *  at equal times a frame counts as arrived before whatever else happens then), in departure order.
   *  Frames arriving earlier have landed by their events; a frame whose end + delay is later cannot
   *  arrive yet, nor any after it (reordering only adds delay). */
  private pullInTransit(): void {
    if (this.pulling) return;
    const now = this.loop.now;
    const delay = this.config.delayNs;
    const m = this.pfMask;
    for (let k = this.pfHead; k !== this.pfTail; k = (k + 1) >>> 0) {
      const i = k & m;
      if (this.pfEnd[i]! + delay > now) break;
      if (this.pfDone[i] === 0 && this.pfArr[i]! <= now) this.deliver(i);
    }
  }

  /** A frame on the way, ended at `end`, arriving at `arr`: its sequence number (the arrival event's argument). */
  private pfPush(h: number, end: number, arr: number): number {
    if (((this.pfTail - this.pfHead) >>> 0) === this.pfH.length) this.pfGrow(this.pfH.length * 2);
    const seq = this.pfTail;
    const i = seq & this.pfMask;
    this.pfH[i] = h;
    this.pfSeq[i] = seq;
    this.pfEnd[i] = end;
    this.pfArr[i] = arr;
    this.pfDone[i] = 0;
    this.pfTail = (seq + 1) >>> 0;
    return seq;
  }

  private pfGrow(cap: number): void {
    const h = new Uint32Array(cap);
    const sq = new Uint32Array(cap);
    const e = new Float64Array(cap);
    const a = new Float64Array(cap);
    const d = new Uint8Array(cap);
    const m = cap - 1;
    for (let k = this.pfHead; k !== this.pfTail; k = (k + 1) >>> 0) {
      const i = k & this.pfMask;
      const j = k & m;
      h[j] = this.pfH[i]!;
      sq[j] = this.pfSeq[i]!;
      e[j] = this.pfEnd[i]!;
      a[j] = this.pfArr[i]!;
      d[j] = this.pfDone[i]!;
    }
    this.pfH = h;
    this.pfSeq = sq;
    this.pfEnd = e;
    this.pfArr = a;
    this.pfDone = d;
    this.pfMask = m;
  }

  /** Frames this direction holds: being serialized, or on the way. */
  held(): number {
    if (this.train) return this.fifo.length;
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
