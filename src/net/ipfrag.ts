// IPv4 fragmentation on output (net/ipv4/ip_output.c: ip_do_fragment) and
// reassembly on input (net/ipv4/ip_fragment.c: ip_defrag over
// net/ipv4/inet_fragment.c), on the real header bytes of each skb.
//
// Ledger: every fragment is an skb of its own from the sender's allocation
// on. A reassembled datagram is carried by its first fragment's skb (the
// head, with the UDP header); the other fragment skbs stay chained to it
// (Linux's frag_list / stolen page frags) and share its fate: delivered when
// the application reads the datagram, or dropped with the datagram's reason
// (SOCKET_RCVBUFF, NO_SOCKET …). Fragments that never complete are dropped
// with Linux's reasons: FRAG_REASM_TIMEOUT (ip_expire), FRAG_TOO_FAR
// (ip_frag_reinit), DUP_FRAG, and NOT_SPECIFIED where the kernel calls plain
// kfree_skb (ip_defrag when over ipfrag_high_thresh, ip_frag_queue's discard).
import type { Core } from "../core/core.js";
import { SKB_HEADROOM } from "../core/skb-fields.js";
import type { Counters } from "../sim/counters.js";
import type { EventLoop } from "../sim/loop.js";
import { get16, put16 } from "../wire/bytes.js";
import { IP_DF, IP_MF, IP_OFFSET, IPV4_FRAG_OFF, IPV4_TOT_LEN, ipv4SendCheck } from "../wire/ipv4.js";
import { rxTruesize } from "./udp-sock.js";
import { NET_SKB_PAD, SHINFO_ALIGNED, SKB_ALIGNED } from "./skb-size.js";

/** Payload bytes of each fragment of an IP payload of `payload` bytes:
 *  (mtu − ihl) rounded down to 8 for all but the last (ip_do_fragment). */
export function fragmentSizes(payload: number, mtu: number, ihl = 20): number[] {
  const per = (mtu - ihl) & ~7;
  if (per <= 0) throw new RangeError(`mtu ${mtu} leaves no room for a fragment after a ${ihl}-byte IP header`);
  const out: number[] = [];
  let left = payload;
  while (left > 0) {
    // net/ipv4/ip_output.c: ip_frag_next — len = min(left, mtu); if (len < left) len &= ~7
    const len = left > per ? per : left;
    out.push(len);
    left -= len;
  }
  return out;
}

/**
 * net/ipv4/ip_output.c: ip_do_fragment (slow path). Split IPv4 skb h, whose
 * IP total length exceeds `mtu`, into fragments: h itself becomes the first
 * (it keeps the L4 header), the others are new skbs from `alloc` with a copy
 * of the Ethernet + IP header. DF is cleared, MF set on all but the last,
 * offsets in 8-byte units, the IP ID shared. Handles go to out[] in offset
 * order. Returns the fragment count, or −1 when an allocation failed (the
 * skbs allocated so far are in out[]; h is untouched).
 */
export function ipFragment(core: Core, h: number, mtu: number, alloc: () => number, out: number[]): number {
  const s = core.skb;
  const b = core.headers;
  const base = h * SKB_HEADROOM;
  const net = s.network[h]!;
  const ipo = base + net;
  const ihl = (b[ipo]! & 0xf) << 2;
  const totLen = get16(b, ipo + IPV4_TOT_LEN);
  const sizes = fragmentSizes(totLen - ihl, mtu, ihl);
  out.length = 0;
  out.push(h);
  for (let k = 1; k < sizes.length; k++) {
    const g = alloc();
    if (g < 0) return -1;
    out.push(g);
  }
  const foBase = get16(b, ipo + IPV4_FRAG_OFF) & ~(IP_DF | IP_MF | IP_OFFSET);
  const hdr = net + ihl;
  let end = totLen - ihl;
  for (let k = sizes.length - 1; k >= 0; k--) {
    // later fragments first: they copy h's header before h is rewritten
    const g = out[k]!;
    const offset = end - sizes[k]!;
    end = offset;
    if (k > 0) {
      b.copyWithin(g * SKB_HEADROOM, base, base + hdr);
      s.hdrLen[g] = hdr;
      s.mac[g] = s.mac[h]!;
      s.network[g] = net;
      s.transport[g] = hdr;
      s.protocol[g] = s.protocol[h]!;
    }
    const go = g * SKB_HEADROOM + net;
    put16(b, go + IPV4_TOT_LEN, ihl + sizes[k]!);
    put16(b, go + IPV4_FRAG_OFF, foBase | (k < sizes.length - 1 ? IP_MF : 0) | (offset >> 3));
    ipv4SendCheck(b, go);
    s.len[g] = hdr + sizes[k]!;
  }
  return sizes.length;
}

/** include/net/ip.h: ip_is_fragment */
export function isFragment(b: Uint8Array, ipo: number): boolean {
  return (get16(b, ipo + IPV4_FRAG_OFF) & (IP_MF | IP_OFFSET)) !== 0;
}

/** sizeof(struct ipq) on x86-64 (struct inet_frag_queue 176 + ecn, max_df_size, iif, rid, peer): inet_frags.qsize. */
export const IPQ_SIZE = 200;
/** net/ipv4/ip_fragment.c: ipv4_frags_init_net — fqdir->max_dist = 64 (net.ipv4.ipfrag_max_dist). */
export const IPFRAG_MAX_DIST = 64;
/** include/linux/skbuff.h: MAX_SKB_FRAGS (CONFIG_MAX_SKB_FRAGS default 17). */
const MAX_SKB_FRAGS = 17;
const SKB_TRUESIZE_OVERHEAD = SKB_ALIGNED + SHINFO_ALIGNED;

const FIRST_IN = 1;
const LAST_IN = 2;

interface FragQueue {
  key: string;
  slot: number;
  timer: number;
  /** Fragment skbs, with their byte ranges in the IP payload. */
  frags: number[];
  offs: number[];
  ends: number[];
  /** q.len: the datagram's IP payload length as far as known. */
  len: number;
  /** q.meat: payload bytes received. */
  meat: number;
  flags: number;
  /** qp->rid: the peer's fragment count when this queue last got one. */
  rid: number;
  peer: number;
  /** Sum of the queued fragments' truesize. */
  truesize: number;
}

export interface DefragSink {
  drop(h: number, reason: string): void;
}

export interface DefragStats {
  /** Incomplete datagrams (struct ipq) waiting. */
  queues: number;
  /** Fragment skbs held by them. */
  fragments: number;
  /** frag_mem_limit(fqdir): bytes charged against ipfrag_high_thresh. */
  mem: number;
}

/** The host's IPv4 reassembly: fqdir with its queues, memory and timers. */
export class IpDefrag {
  /** frag_mem_limit(fqdir). */
  mem = 0;
  /** Fragment skbs held in queues. */
  heldSkbs = 0;
  private readonly queues = new Map<string, FragQueue>();
  private readonly slots: (FragQueue | null)[] = [];
  private readonly freeSlots: number[] = [];
  /** inet_peer rid per source address. */
  private readonly peerRid = new Map<number, number>();
  /** Reassembled heads -> the other fragment skbs they carry. */
  private readonly chains = new Map<number, number[]>();
  private readonly kindExpire: number;
  private readonly cReqds: number;
  private readonly cOKs: number;
  private readonly cFails: number;
  private readonly cTimeout: number;
  private readonly cOverlaps: number;

  constructor(
    private readonly core: Core,
    private readonly loop: EventLoop,
    private readonly nstat: Counters,
    private readonly sink: DefragSink,
    /** net.ipv4.ipfrag_high_thresh (bytes). */
    private readonly highThresh: number,
    /** net.ipv4.ipfrag_time (ns). */
    private readonly timeoutNs: number,
    name: string,
  ) {
    this.cReqds = nstat.id("IpReasmReqds");
    this.cOKs = nstat.id("IpReasmOKs");
    this.cFails = nstat.id("IpReasmFails");
    this.cTimeout = nstat.id("IpReasmTimeout");
    this.cOverlaps = nstat.id("IpExtReasmOverlaps"); // net/ipv4/proc.c: snmp4_ipextstats_list (IpExt, not Ip)
    this.kindExpire = loop.register(`${name} ip_expire`, (slot) => this.expire(slot));
  }

  stats(): DefragStats {
    return { queues: this.queues.size, fragments: this.heldSkbs, mem: this.mem };
  }

  /** Skbs a datagram holds: 1 + the fragments chained to a reassembled head. */
  skbsOf(h: number): number {
    if (this.chains.size === 0) return 1; // the common case: no reassembled datagram held
    const c = this.chains.get(h);
    return c === undefined ? 1 : 1 + c.length;
  }

  /** Remove and return the fragment skbs chained to head h (empty if none). */
  takeChain(h: number): number[] | undefined {
    if (this.chains.size === 0) return undefined;
    const c = this.chains.get(h);
    if (c !== undefined) this.chains.delete(h);
    return c;
  }

  /**
   * net/ipv4/ip_fragment.c: ip_defrag. Takes fragment h (its truesize set).
   * Returns the head skb of the completed datagram, or −1 when h was
   * queued or dropped.
   */
  defrag(h: number): number {
    const nstat = this.nstat;
    nstat.add(this.cReqds);
    const b = this.core.headers;
    const ipo = h * SKB_HEADROOM + this.core.skb.network[h]!;
    // net/ipv4/inet_fragment.c: inet_frag_find — nothing new above high_thresh, not even for an existing queue
    if (this.highThresh === 0 || this.mem > this.highThresh) {
      nstat.add(this.cFails);
      this.sink.drop(h, "NOT_SPECIFIED");
      return -1;
    }
    const src = ((b[ipo + 12]! << 24) | (b[ipo + 13]! << 16) | (b[ipo + 14]! << 8) | b[ipo + 15]!) >>> 0;
    const dst = ((b[ipo + 16]! << 24) | (b[ipo + 17]! << 16) | (b[ipo + 18]! << 8) | b[ipo + 19]!) >>> 0;
    // struct frag_v4_compare_key: saddr, daddr, id, protocol (user, vif fixed)
    const key = `${src}:${dst}:${get16(b, ipo + 4)}:${b[ipo + 9]!}`;
    let q = this.queues.get(key);
    if (q === undefined) q = this.create(key, src);
    return this.queue(q, h, ipo);
  }

  // net/ipv4/inet_fragment.c: inet_frag_create (timer armed once, at creation)
  private create(key: string, peer: number): FragQueue {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.slots.length;
    const q: FragQueue = { key, slot, timer: -1, frags: [], offs: [], ends: [], len: 0, meat: 0, flags: 0, rid: 0, peer, truesize: 0 };
    this.slots[slot] = q;
    this.queues.set(key, q);
    this.mem += IPQ_SIZE;
    q.timer = this.loop.after(this.timeoutNs, this.kindExpire, slot);
    return q;
  }

  // net/ipv4/ip_fragment.c: ip_frag_queue
  private queue(q: FragQueue, h: number, ipo: number): number {
    const b = this.core.headers;
    const nstat = this.nstat;
    // ip_frag_too_far: more than max_dist fragments from this peer since this queue's last one
    const end0 = (this.peerRid.get(q.peer) ?? 0) + 1;
    this.peerRid.set(q.peer, end0);
    const start = q.rid;
    q.rid = end0;
    if (q.frags.length > 0 && end0 - start > IPFRAG_MAX_DIST) {
      nstat.add(this.cFails);
      // ip_frag_reinit: flush with FRAG_TOO_FAR, restart the timer
      this.flush(q, "FRAG_TOO_FAR");
      q.flags = 0;
      q.len = 0;
      q.meat = 0;
      this.loop.cancel(q.timer);
      q.timer = this.loop.after(this.timeoutNs, this.kindExpire, q.slot);
    }
    const fo = get16(b, ipo + 6);
    const offset = (fo & IP_OFFSET) << 3;
    const ihl = (b[ipo]! & 0xf) << 2;
    let end = offset + get16(b, ipo + IPV4_TOT_LEN) - ihl;
    if ((fo & IP_MF) === 0) {
      if (end < q.len || ((q.flags & LAST_IN) !== 0 && end !== q.len)) return this.discard(q, h);
      q.flags |= LAST_IN;
      q.len = end;
    } else {
      if ((end & 7) !== 0) end &= ~7;
      if (end > q.len) {
        if ((q.flags & LAST_IN) !== 0) return this.discard(q, h);
        q.len = end;
      }
    }
    if (end === offset) return this.discard(q, h);
    // net/ipv4/inet_fragment.c: inet_frag_queue_insert — contained: duplicate; partial overlap: discard (RFC 5722)
    for (let i = 0; i < q.frags.length; i++) {
      const o = q.offs[i]!;
      const e = q.ends[i]!;
      if (end <= o || offset >= e) continue;
      if (offset >= o && end <= e) {
        this.sink.drop(h, "DUP_FRAG");
        return -1;
      }
      nstat.add(this.cOverlaps);
      return this.discard(q, h);
    }
    const truesize = this.core.skb.truesize[h]!;
    q.frags.push(h);
    q.offs.push(offset);
    q.ends.push(end);
    q.meat += end - offset;
    q.truesize += truesize;
    this.mem += truesize;
    this.heldSkbs++;
    if (offset === 0) q.flags |= FIRST_IN;
    if (q.flags === (FIRST_IN | LAST_IN) && q.meat === q.len) return this.reasm(q);
    return -1;
  }

  // ip_frag_queue: discard_qp — inet_frag_kill, ReasmFails, kfree_skb
  private discard(q: FragQueue, h: number): number {
    this.kill(q);
    // the queued fragments go with the queue (consumed by inet_frag_destroy; the ledger names no better reason)
    this.flush(q, "NOT_SPECIFIED");
    this.mem -= IPQ_SIZE;
    this.nstat.add(this.cFails);
    this.sink.drop(h, "NOT_SPECIFIED");
    return -1;
  }

  // net/ipv4/ip_fragment.c: ip_frag_reasm + inet_frag_reasm_finish
  private reasm(q: FragQueue): number {
    this.kill(q);
    const n = q.frags.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => q.offs[x]! - q.offs[y]!);
    const head = q.frags[order[0]!]!;
    const s = this.core.skb;
    const b = this.core.headers;
    const net = s.network[head]!;
    const ipo = head * SKB_HEADROOM + net;
    const ihl = (b[ipo]! & 0xf) << 2;
    // head truesize: each later fragment is coalesced into the head's tailroom
    // (delta 0), stolen as a page frag (its truesize less the struct sk_buff),
    // or, past MAX_SKB_FRAGS, chained on frag_list (its full truesize).
    let truesize = s.truesize[head]!;
    let tailroom = truesize - SKB_TRUESIZE_OVERHEAD - NET_SKB_PAD - s.len[head]!;
    let nrFrags = 0;
    let fragList = false;
    const chain: number[] = [];
    for (let k = 1; k < n; k++) {
      const i = order[k]!;
      const fp = q.frags[i]!;
      const len = q.ends[i]! - q.offs[i]!;
      const ts = s.truesize[fp]!;
      if (len <= tailroom) tailroom -= len;
      else if (!fragList && nrFrags < MAX_SKB_FRAGS) {
        nrFrags++;
        truesize += ts - SKB_ALIGNED;
      } else {
        fragList = true;
        truesize += ts;
      }
      chain.push(fp);
    }
    this.mem -= q.truesize + IPQ_SIZE;
    this.heldSkbs -= n;
    const total = ihl + q.len;
    if (total > 0xffff) {
      // out_oversize
      this.nstat.add(this.cFails);
      this.sink.drop(head, "NOT_SPECIFIED");
      for (const fp of chain) this.sink.drop(fp, "NOT_SPECIFIED");
      return -1;
    }
    put16(b, ipo + IPV4_TOT_LEN, total);
    // frag_off: DF only when every fragment carried it (max_df_size == max_size); ours never do
    put16(b, ipo + IPV4_FRAG_OFF, 0);
    ipv4SendCheck(b, ipo);
    s.len[head] = net + total;
    s.truesize[head] = truesize;
    if (chain.length > 0) this.chains.set(head, chain);
    this.nstat.add(this.cOKs);
    return head;
  }

  // net/ipv4/ip_fragment.c: ip_expire
  private expire(slot: number): void {
    const q = this.slots[slot];
    if (q === null || q === undefined) return;
    q.timer = -1;
    this.kill(q);
    this.nstat.add(this.cFails);
    this.nstat.add(this.cTimeout);
    // ICMP "fragment reassembly time exceeded" to the sender is not modelled.
    this.flush(q, "FRAG_REASM_TIMEOUT");
    this.mem -= IPQ_SIZE;
  }

  // inet_frag_kill: out of the hash table, timer stopped
  private kill(q: FragQueue): void {
    if (q.timer >= 0) this.loop.cancel(q.timer);
    q.timer = -1;
    this.queues.delete(q.key);
    this.slots[q.slot] = null;
    this.freeSlots.push(q.slot);
  }

  // inet_frag_queue_flush
  private flush(q: FragQueue, reason: string): void {
    for (const fp of q.frags) this.sink.drop(fp, reason);
    this.heldSkbs -= q.frags.length;
    this.mem -= q.truesize;
    q.frags.length = 0;
    q.offs.length = 0;
    q.ends.length = 0;
    q.truesize = 0;
  }
}

/** truesize of a received fragment or datagram: the driver's allocation for its frame. */
export function setRxTruesize(core: Core, h: number): number {
  const t = rxTruesize(core.skb.len[h]!);
  core.skb.truesize[h] = t;
  return t;
}
