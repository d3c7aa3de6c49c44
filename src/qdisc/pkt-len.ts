// qdisc_skb_cb: the per-skb scratch a qdisc keeps while it holds the skb
// (pkt_len, fq's time_to_send and band). An skb sits in at most one qdisc at
// a time, so one set of columns per Core serves every qdisc, as skb->cb does.
import type { Core } from "../core/core.js";
import { SKB_GSO_TCPV4, SKB_GSO_TCPV6, SKB_GSO_DODGY } from "../core/gro.js";
import { SKB_OFFSET_UNSET } from "../core/skb-fields.js";

/** include/linux/skbuff.h: SKB_GSO_UDP_L4 */
export const SKB_GSO_UDP_L4 = 1 << 16;

export interface QdiscCb {
  /** qdisc_skb_cb(skb)->pkt_len */
  pktLen: Uint32Array;
  /** fq_skb_cb(skb)->time_to_send (ns) */
  timeToSend: Float64Array;
  /** fq_skb_cb(skb)->band */
  band: Uint8Array;
}

const cbs = new WeakMap<Core, QdiscCb>();

export function qdiscCb(core: Core): QdiscCb {
  let cb = cbs.get(core);
  if (cb === undefined) {
    const n = core.skb.len.length;
    cb = { pktLen: new Uint32Array(n), timeToSend: new Float64Array(n), band: new Uint8Array(n) };
    cbs.set(core, cb);
  }
  return cb;
}

/** qdiscPktLen's answer for an skb 6.12 drops (SKB_DROP_REASON_SKB_BAD_GSO). */
export const PKT_LEN_BAD_GSO = -1;

/** net/core/dev.c: qdisc_pkt_len_init — a GSO skb also counts the headers
 *  each segment will carry on the wire. PKT_LEN_BAD_GSO where 6.12 returns
 *  SKB_DROP_REASON_SKB_BAD_GSO (a TCP header shorter than 20 bytes or past the
 *  skb's end, a UDP header past it, a DODGY skb without payload):
 *  __dev_queue_xmit drops those (NicTx.xmit) before any qdisc sees them. */
export function qdiscPktLen(core: Core, h: number): number {
  const s = core.skb;
  // a plain skb is its len: the GSO part stays out of its callers' V8 inlining budget (every skb
  // the qdisc path sees is measured here, bypassed or queued)
  return s.gsoSize[h] === 0 ? s.len[h]! : qdiscPktLenGso(core, h);
}

/** qdiscPktLen of a GSO skb (gso_size set). */
function qdiscPktLenGso(core: Core, h: number): number {
  const s = core.skb;
  const len = s.len[h]!;
  const gsoSize = s.gsoSize[h]!;
  const t = s.transport[h]!;
  if (t === SKB_OFFSET_UNSET) return len;
  const mac = s.mac[h]!;
  const start = mac !== SKB_OFFSET_UNSET ? mac : s.network[h]!;
  let hdrLen = t - start;
  const type = s.gsoType[h]!;
  if ((type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) !== 0) {
    // pskb_may_pull(hdr_len + sizeof(tcphdr)), __tcp_hdrlen >= sizeof(tcphdr), pskb_may_pull(hdr_len)
    if (len < hdrLen + 20) return PKT_LEN_BAD_GSO;
    const tlen = (core.headers[h * 128 + t + 12]! >>> 4) * 4;
    if (tlen < 20) return PKT_LEN_BAD_GSO;
    hdrLen += tlen;
    if (len < hdrLen) return PKT_LEN_BAD_GSO;
  } else if ((type & SKB_GSO_UDP_L4) !== 0) {
    if (len < hdrLen + 8) return PKT_LEN_BAD_GSO;
    hdrLen += 8;
  }
  let segs = s.gsoSegs[h]!;
  // an untrusted (DODGY) skb's segments come from its payload; with none ("Malicious packet") 6.12.117
  // drops it (SKB_DROP_REASON_SKB_BAD_GSO; the void qdisc_pkt_len_init of older trees returned early)
  if ((type & SKB_GSO_DODGY) !== 0) {
    const payload = len - hdrLen;
    if (payload <= 0) return PKT_LEN_BAD_GSO;
    segs = Math.ceil(payload / gsoSize);
  }
  return len + (segs - 1) * hdrLen;
}

/** include/net/sch_generic.h: bstats_update — packets a dequeued skb counts. */
export function bstatsPackets(core: Core, h: number): number {
  return core.skb.gsoSize[h]! !== 0 ? Math.max(1, core.skb.gsoSegs[h]!) : 1;
}
