// qdisc_pkt_len_init (net/core/dev.c, 6.12, via qdisc_pkt_len_segs_init): a GSO skb counts skb->len plus
// (gso_segs - 1) header copies, hdr_len = transport offset + the TCP header. For an SKB_GSO_DODGY skb
// (an untrusted source) gso_segs is recomputed as DIV_ROUND_UP(payload, gso_size). 6.12.117's version
// returns an skb_drop_reason: one with no payload ("Malicious packet"), a TCP header shorter than 20 bytes
// or one past the skb's end is SKB_DROP_REASON_SKB_BAD_GSO, and __dev_queue_xmit then counts
// tx_dropped and frees the skb with that reason (-EINVAL) before any qdisc sees it.
import { beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../src/core/core.js";
import { freshCore } from "../helpers.js";
import { qdiscPktLen } from "../../src/qdisc/pkt-len.js";
import { SKB_GSO_DODGY, SKB_GSO_TCPV4 } from "../../src/core/gro.js";
import { superPacket } from "../gso/build.js";
import { PKT_LEN_BAD_GSO } from "../../src/qdisc/pkt-len.js";
import { EventLoop } from "../../src/sim/loop.js";
import { NicTx, type NicTxConfig } from "../../src/net/nic-tx.js";

let core: Core;
beforeAll(async () => {
  core = await freshCore();
});

// Ethernet 14 + IPv4 20 + TCP 20 + timestamps 12: hdr_len 66
describe("qdisc_pkt_len_init", () => {
  it("a TCP GSO skb: len + (gso_segs - 1) x 66", () => {
    const h = superPacket(core, { payload: 3 * 1448, mss: 1448 });
    expect(qdiscPktLen(core, h)).toBe(66 + 3 * 1448 + 2 * 66);
  });

  it("SKB_GSO_DODGY: gso_segs from the payload (3000 / 1448 -> 3), not the skb's", () => {
    const h = superPacket(core, { payload: 3000, mss: 1448, gsoType: SKB_GSO_TCPV4 | SKB_GSO_DODGY });
    core.skb.gsoSegs[h] = 1;
    expect(qdiscPktLen(core, h)).toBe(3066 + 2 * 66);
  });

  it("SKB_GSO_DODGY without payload: SKB_BAD_GSO (payload <= 0, the \"Malicious packet\" test)", () => {
    const h = superPacket(core, { payload: 0, mss: 1448, gsoType: SKB_GSO_TCPV4 | SKB_GSO_DODGY });
    core.skb.gsoSegs[h] = 5;
    expect(core.skb.len[h]).toBe(66);
    expect(qdiscPktLen(core, h)).toBe(PKT_LEN_BAD_GSO);
    // one payload byte: DIV_ROUND_UP(1, 1448) = 1 segment, pkt_len = skb->len
    const h1 = superPacket(core, { payload: 1, mss: 1448, gsoType: SKB_GSO_TCPV4 | SKB_GSO_DODGY });
    core.skb.gsoSegs[h1] = 5;
    expect(qdiscPktLen(core, h1)).toBe(67);
  });

  it("a TCP header shorter than sizeof(struct tcphdr) (doff 4): SKB_BAD_GSO, DODGY or not", () => {
    const h = superPacket(core, { payload: 3000, mss: 1448 });
    const t = core.skb.transport[h]!;
    core.headers[h * 128 + t + 12] = (4 << 4) | (core.headers[h * 128 + t + 12]! & 0x0f);
    expect(qdiscPktLen(core, h)).toBe(PKT_LEN_BAD_GSO);
  });
});

describe("__dev_queue_xmit: qdisc_pkt_len_init's drop", () => {
  it("frees the skb with SKB_BAD_GSO, counts tx_dropped, returns its truesize to the socket; nothing is queued", () => {
    const loop = new EventLoop(core.wheel);
    const cfg: NicTxConfig = { txQueues: 1, txRing: 256, txqueuelen: 1000, mtu: 1500, defaultQdisc: "pfifo_fast", txUsecs: 0, txFrames: 0, bql: false, tso: true, gsoSlot: 0 };
    const drops: [number, string][] = [];
    const tx = new NicTx(core, "eth0", cfg, { drop: (h, r) => drops.push([h, r]) }, loop);
    const freed: [number, number][] = [];
    tx.onTxFree = (sk, t) => freed.push([sk, t]);
    const h = superPacket(core, { payload: 0, mss: 1448, gsoType: SKB_GSO_TCPV4 | SKB_GSO_DODGY, truesize: 1280 });
    core.skb.sk[h] = 5;
    expect(tx.xmit(h)).toBe(false);
    expect(drops).toEqual([[h, "SKB_BAD_GSO"]]);
    expect(tx.txDropped).toBe(1);
    expect(freed).toEqual([[5, 1280]]);
    expect(tx.ringUsed(0)).toBe(0);
    expect(tx.txPop()).toBe(-1);
    // a good TSO skb right behind it goes out
    const g = superPacket(core, { payload: 3 * 1448, mss: 1448 });
    expect(tx.xmit(g)).toBe(true);
    expect(tx.ringUsed(0)).toBe(1);
  });
});
