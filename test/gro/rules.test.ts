// GRO merge/flush rules, each case built by hand from the kernel source
// (net/core/gro.c, net/ipv4/af_inet.c, include/net/gro.h,
// net/ipv4/tcp_offload.c) and the spec's predictions 13–15
// (../shared/linux/rx-tx-path.md §9, §10.2).
import { beforeEach, describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import type { Core } from "../../src/core/core.js";
import { createGro, GroError, SKB_GSO_TCP_ECN, SKB_GSO_TCP_FIXEDID, SKB_GSO_TCPV4, SKB_GSO_TCPV6, type GroContext } from "../../src/core/gro.js";
import { parseSkb } from "../../src/wire/skb-headers.js";
import { ACK, CWR, FIN, PSH, RST, SYN, URG, be16, burst, flushAll, onesSum, seg, train, type Seg } from "./build.js";

let core: Core;
let gro: GroContext;

beforeEach(async () => {
  core = await freshCore({ skbs: 1024, ioSlots: 4096 });
  gro = createGro(core).contexts[0]!;
});

const ETH = 14;
/** TCP header offset for IPv4 / IPv6 frames built by writePacket. */
const TH4 = ETH + 20;
const TH6 = ETH + 40;

function segsOf(h: number): number {
  return core.skb.gsoSegs[h] || 1;
}

/** Expected TCP check after completion: the folded pseudo-header sum. */
function pseudoCheck(h: number, v6: boolean, l4len: number): number {
  const words: number[] = [];
  const n = v6 ? 16 : 4;
  const at = ETH + (v6 ? 8 : 12);
  for (let i = 0; i < 2 * n; i += 2) words.push(be16(core, h, at + i));
  words.push(6, l4len & 0xffff, Math.floor(l4len / 65536));
  return onesSum(words);
}

describe("prediction 13: GRO maximum (64 KB)", () => {
  it("MSS 1448 with timestamps: 45 segments, L3 length 65212; headers rewritten", () => {
    const hs = train(core, 46, { seq: 1000 });
    const out = burst(gro, hs);
    expect(out).toEqual([hs[0]]);
    const h = hs[0]!;
    const s = core.skb;
    expect(s.gsoSegs[h]).toBe(45);
    expect(s.gsoSize[h]).toBe(1448);
    expect(s.gsoType[h]).toBe(SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID); // IDs all 0 with DF
    expect(s.len[h]).toBe(ETH + 65212);
    expect(be16(core, h, ETH + 2)).toBe(65212); // tot_len
    const p = parseSkb(core, h, { verifyIpChecksum: true }); // throws on a bad IPv4 checksum
    expect(p.payloadLen).toBe(45 * 1448);
    expect(be16(core, h, TH4 + 16)).toBe(pseudoCheck(h, false, 65212 - 20));
    expect(gro.stats().reasons.maxSize).toBe(1);
    expect(gro.heldCount).toBe(1); // the 46th started the next aggregate
    const rest = flushAll(gro);
    expect(rest).toEqual([hs[45]]);
    expect(s.gsoSize[hs[45]!]).toBe(0); // count 1: a plain packet
    expect(s.gsoSegs[hs[45]!]).toBe(0);
    expect(core.poolStats().live).toBe(2);
  });

  it("MSS 1460 without options: 44 segments (64280)", () => {
    const hs = train(core, 45, { seq: 1, len: 1460, ts: null });
    const out = burst(gro, hs);
    expect(out).toEqual([hs[0]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(44);
    expect(be16(core, hs[0]!, ETH + 2)).toBe(64280);
    expect(core.skb.gsoSize[hs[0]!]).toBe(1460);
  });

  it("gro_ipv4_max_size above 64 KB (BIG TCP): tot_len 0 past 65535, gso_segs counts all", () => {
    gro.setMaxSize(200_000);
    const hs = train(core, 60, { seq: 1 });
    expect(burst(gro, hs)).toEqual([]);
    const out = flushAll(gro);
    expect(out).toEqual([hs[0]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(60);
    expect(core.skb.len[hs[0]!]).toBe(ETH + 52 + 60 * 1448);
    expect(be16(core, hs[0]!, ETH + 2)).toBe(0);
    expect(() => gro.setMaxSize(600_000)).toThrow(/gro.ipv4MaxSize/);
  });

  it("IPv6 gro_max_size above 64 KB still stops below 64 KB (no jumbo HBH in the model)", () => {
    gro.setMaxSize(65536, 200_000);
    const hs = train(core, 46, { seq: 1, v6: true });
    const out = burst(gro, hs);
    // 40 + 32 + 45*1448 = 65232 < 65536; a 46th would reach 66680
    expect(out).toEqual([hs[0]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(45);
  });
});

describe("prediction 14: flags, window, ACK, TSval", () => {
  it("PSH segment is merged and ends the aggregate; the head gains PSH", () => {
    const hs = train(core, 3, { seq: 0 });
    hs.push(seg(core, { seq: 3 * 1448, flags: ACK | PSH }));
    hs.push(seg(core, { seq: 4 * 1448 }));
    const out = burst(gro, hs);
    expect(out).toEqual([hs[0]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(4);
    expect(core.headers[hs[0]! * 128 + TH4 + 13]).toBe(ACK | PSH);
    expect(gro.stats().reasons.tcpFlags).toBe(1);
    expect(gro.bucket(0)).toEqual([{ head: hs[4], count: 1 }]);
  });

  it("FIN is merged and ends the aggregate", () => {
    const hs = train(core, 2, { seq: 0 });
    hs.push(seg(core, { seq: 2 * 1448, flags: ACK | FIN, len: 100 }));
    expect(burst(gro, hs)).toEqual([hs[0]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(3);
    expect(core.headers[hs[0]! * 128 + TH4 + 13]).toBe(ACK | FIN);
    expect(core.skb.len[hs[0]!]).toBe(ETH + 52 + 2 * 1448 + 100);
  });

  it.each<[string, Partial<Seg>, string]>([
    ["window", { window: 513 }, "flagWord"],
    ["ack_seq", { ack: 7778 }, "ack"],
    ["TSval", { ts: [1001, 500] }, "options"],
    ["TSecr", { ts: [1000, 501] }, "options"],
    ["ECE flag", { flags: ACK | 0x40 }, "flagWord"],
  ])("different %s: not merged, old aggregate delivered, new one started", (_, diff, reason) => {
    const hs = train(core, 2, { seq: 0 });
    hs.push(seg(core, { seq: 2 * 1448, ...diff }));
    hs.push(seg(core, { seq: 3 * 1448, ...diff }));
    const out = burst(gro, hs);
    expect(out).toEqual([hs[0]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(2);
    expect(gro.bucket(0)).toEqual([{ head: hs[2], count: 2 }]);
    expect((gro.stats().reasons as Record<string, number>)[reason]).toBe(1);
  });

  it("CWR ends the previous aggregate and starts a new one (tagged TCP_ECN)", () => {
    const hs = train(core, 2, { seq: 0 });
    hs.push(seg(core, { seq: 2 * 1448, flags: ACK | CWR }));
    hs.push(seg(core, { seq: 3 * 1448 }));
    const out = burst(gro, hs);
    expect(out).toEqual([hs[0]]);
    expect(gro.stats().reasons.cwr).toBe(1);
    expect(gro.bucket(0)).toEqual([{ head: hs[2], count: 2 }]); // the next segment merged into it
    expect(flushAll(gro)).toEqual([hs[2]]);
    expect(core.skb.gsoType[hs[2]!]).toBe(SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID | SKB_GSO_TCP_ECN);
  });

  it.each([
    ["RST", ACK | RST],
    ["SYN", ACK | SYN],
    ["URG", ACK | URG],
  ])("%s: held aggregate completed, the segment delivered alone", (_, flags) => {
    const hs = train(core, 2, { seq: 0 });
    hs.push(seg(core, { seq: 2 * 1448, flags }));
    const out = burst(gro, hs);
    expect(out).toEqual([hs[0], hs[2]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(2);
    expect(core.skb.gsoSize[hs[2]!]).toBe(0);
    expect(gro.heldCount).toBe(0);
    expect(gro.stats().reasons.flagWord).toBe(1);
  });

  it("RST/SYN with no held aggregate: delivered alone (tcpFlags)", () => {
    const a = seg(core, { seq: 0, flags: SYN, len: 0 });
    const b = seg(core, { seq: 0, flags: RST, len: 0, flow: 1 });
    expect(burst(gro, [a, b])).toEqual([a, b]);
    expect(gro.stats().reasons.tcpFlags).toBe(2);
  });

  it("sub-MSS segment is merged and ends the aggregate", () => {
    const hs = train(core, 3, { seq: 0 });
    hs.push(seg(core, { seq: 3 * 1448, len: 500 }));
    expect(burst(gro, hs)).toEqual([hs[0]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(4);
    expect(core.skb.gsoSize[hs[0]!]).toBe(1448);
    expect(be16(core, hs[0]!, ETH + 2)).toBe(52 + 3 * 1448 + 500);
    expect(gro.stats().reasons.short).toBe(1);
  });

  it("a segment longer than the first (mss) is not merged: old delivered, it starts anew", () => {
    const a = seg(core, { seq: 0, len: 1000 });
    const b = seg(core, { seq: 1000, len: 1448 });
    expect(burst(gro, [a, b])).toEqual([a]);
    expect(gro.stats().reasons.len).toBe(1);
    expect(gro.bucket(0)).toEqual([{ head: b, count: 1 }]);
  });

  it("non-contiguous seq (gap, retransmit, duplicate): not merged", () => {
    const hs = train(core, 2, { seq: 0 });
    const gap = seg(core, { seq: 5 * 1448 });
    const dup = seg(core, { seq: 5 * 1448 });
    expect(burst(gro, [...hs, gap, dup])).toEqual([hs[0], gap]);
    expect(gro.stats().reasons.seq).toBe(2);
    expect(gro.bucket(0)).toEqual([{ head: dup, count: 1 }]);
  });

  it("pure ACK: delivered alone; with a held aggregate of the flow it completes it", () => {
    const a = seg(core, { seq: 0, len: 0 });
    expect(burst(gro, [a])).toEqual([a]);
    expect(gro.stats().reasons.len).toBe(1);
    const hs = train(core, 2, { seq: 0 });
    const ack = seg(core, { seq: 2 * 1448, len: 0 });
    expect(burst(gro, [...hs, ack])).toEqual([hs[0], ack]);
    expect(gro.stats().reasons.len).toBe(2);
  });
});

describe("IPv4 checks (inet_gro_receive, inet_gro_flush)", () => {
  it.each<[string, Partial<Seg>]>([
    ["TTL", { ttl: 63 }],
    ["TOS", { tos: 4 }],
    ["DF", { df: false }],
  ])("different %s: old delivered, new started (ipFields)", (_, diff) => {
    const hs = train(core, 2, { seq: 0 });
    const c = seg(core, { seq: 2 * 1448, ...diff });
    expect(burst(gro, [...hs, c])).toEqual([hs[0]]);
    expect(gro.stats().reasons.ipFields).toBe(1);
    expect(gro.bucket(0)).toEqual([{ head: c, count: 1 }]);
  });

  it("DF, all IDs equal: merged, FIXEDID", () => {
    const hs = train(core, 4, { seq: 0, id: 77 });
    burst(gro, hs);
    expect(flushAll(gro)).toEqual([hs[0]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(4);
    expect(core.skb.gsoType[hs[0]!]).toBe(SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID);
  });

  it("DF, IDs +1 per packet (wrapping at 65535): merged, no FIXEDID", () => {
    const hs = train(core, 4, { seq: 0, id: 65534 }, 1);
    burst(gro, hs);
    expect(flushAll(gro)).toEqual([hs[0]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(4);
    expect(core.skb.gsoType[hs[0]!]).toBe(SKB_GSO_TCPV4);
  });

  it("no DF, IDs +1 per packet: merged", () => {
    const hs = train(core, 3, { seq: 0, id: 10, df: false }, 1);
    burst(gro, hs);
    expect(flushAll(gro)).toEqual([hs[0]]);
    expect(core.skb.gsoSegs[hs[0]!]).toBe(3);
    expect(core.skb.gsoType[hs[0]!]).toBe(SKB_GSO_TCPV4);
  });

  it("no DF, fixed IDs: not merged (ipId)", () => {
    const hs = train(core, 2, { seq: 0, id: 10, df: false });
    expect(burst(gro, hs)).toEqual([hs[0]]);
    expect(gro.stats().reasons.ipId).toBe(1);
  });

  it("DF, IDs +2: not merged; fixed then +1 (5, 5, 6): the third is not merged", () => {
    const a = train(core, 2, { seq: 0, id: 10 }, 2);
    expect(burst(gro, a)).toEqual([a[0]]);
    flushAll(gro);
    const b = [seg(core, { seq: 0, id: 5 }), seg(core, { seq: 1448, id: 5 }), seg(core, { seq: 2896, id: 6 })];
    expect(burst(gro, b)).toEqual([b[0]]);
    expect(core.skb.gsoSegs[b[0]!]).toBe(2);
    expect(gro.stats().reasons.ipId).toBe(2);
  });

  it("IP options (ihl 6): delivered alone, the held aggregate stays held", () => {
    const hs = train(core, 2, { seq: 0 });
    const o = seg(core, { seq: 2 * 1448 });
    core.headers[o * 128 + ETH] = 0x46;
    expect(burst(gro, [...hs, o])).toEqual([o]);
    expect(gro.stats().reasons.ipOptions).toBe(1);
    expect(gro.bucket(0)).toEqual([{ head: hs[0], count: 2 }]);
  });

  it("fragment (MF or offset): delivered alone, held stays", () => {
    const hs = train(core, 1, { seq: 0 });
    const f1 = seg(core, { seq: 1448 });
    const f2 = seg(core, { seq: 1448 });
    const patch = (h: number, v: number) => {
      const o = h * 128 + ETH;
      const old = be16(core, h, ETH + 6);
      core.headers[o + 6] = v >> 8;
      core.headers[o + 7] = v & 0xff;
      // keep the header checksum valid (RFC 1624) so only the fragment rule applies
      const c = onesSum([~be16(core, h, ETH + 10) & 0xffff, ~old & 0xffff, v]);
      core.headers[o + 10] = (~c >> 8) & 0xff;
      core.headers[o + 11] = ~c & 0xff;
    };
    patch(f1, 0x2000);
    patch(f2, 0x4001);
    expect(burst(gro, [...hs, f1, f2])).toEqual([f1, f2]);
    expect(gro.stats().reasons.fragment).toBe(2);
    expect(gro.heldCount).toBe(1);
  });

  it("bad IPv4 header checksum or bad TCP checksum: alone, held stays", () => {
    const hs = train(core, 1, { seq: 0 });
    const a = seg(core, { seq: 1448 });
    const b = seg(core, { seq: 1448 });
    core.headers[a * 128 + ETH + 10] ^= 1;
    core.headers[b * 128 + TH4 + 16] ^= 1;
    expect(burst(gro, [...hs, a, b])).toEqual([a, b]);
    expect(gro.stats().reasons.csum).toBe(2);
    expect(gro.bucket(0)).toEqual([{ head: hs[0], count: 1 }]);
    gro.setChecksumValidation(false);
    const c = seg(core, { seq: 1448 });
    core.headers[c * 128 + TH4 + 16] ^= 1;
    expect(burst(gro, [c])).toEqual([]);
    expect(gro.bucket(0)).toEqual([{ head: hs[0], count: 2 }]);
  });

  it("tot_len below the frame length (Ethernet padding): held completed, frame alone", () => {
    const hs = train(core, 2, { seq: 0 });
    const p = seg(core, { seq: 2 * 1448 });
    core.skb.len[p] += 6;
    expect(burst(gro, [...hs, p])).toEqual([hs[0], p]);
    expect(gro.stats().reasons.badHeader).toBe(1);
  });

  it("UDP is delivered alone (no UDP GRO socket); held TCP untouched", () => {
    const hs = train(core, 1, { seq: 0 });
    const u = seg(core, { seq: 0, proto: "udp", len: 1000 });
    expect(burst(gro, [...hs, u])).toEqual([u]);
    expect(gro.stats().reasons.udp).toBe(1);
    expect(gro.heldCount).toBe(1);
  });

  it("a different flow in the same bucket is not merged (ports/addresses)", () => {
    const a = seg(core, { seq: 0, flow: 0, hash: 5 });
    const b = seg(core, { seq: 1448, flow: 1, hash: 5 });
    expect(burst(gro, [a, b])).toEqual([]);
    expect(gro.bucket(5)).toEqual([
      { head: b, count: 1 },
      { head: a, count: 1 },
    ]);
    expect(gro.bitmask).toBe(1 << 5);
  });
});

describe("IPv6 (ipv6_gro_receive, tcp6_gro_receive)", () => {
  it("merges, no IP ID rules; completion writes payload_len and the pseudo check", () => {
    const hs = train(core, 5, { seq: 0, v6: true });
    expect(burst(gro, hs)).toEqual([]);
    expect(flushAll(gro)).toEqual([hs[0]]);
    const h = hs[0]!;
    expect(core.skb.gsoSegs[h]).toBe(5);
    expect(core.skb.gsoType[h]).toBe(SKB_GSO_TCPV6);
    expect(be16(core, h, ETH + 4)).toBe(32 + 5 * 1448);
    expect(be16(core, h, TH6 + 16)).toBe(pseudoCheck(h, true, 32 + 5 * 1448));
    expect(parseSkb(core, h).payloadLen).toBe(5 * 1448);
  });

  it.each<[string, Partial<Seg>]>([
    ["traffic class", { tos: 8 }],
    ["hop limit", { ttl: 10 }],
  ])("different %s: not merged (ipFields)", (_, diff) => {
    const a = seg(core, { seq: 0, v6: true });
    const b = seg(core, { seq: 1448, v6: true, ...diff });
    expect(burst(gro, [a, b])).toEqual([a]);
    expect(gro.stats().reasons.ipFields).toBe(1);
  });
});

describe("prediction 15 and buckets", () => {
  it("no RX hash, 9 interleaved flows: all in bucket 0, the 9th's first packet completes the oldest", () => {
    const first = Array.from({ length: 9 }, (_, f) => seg(core, { seq: 0, flow: f, hash: 0 }));
    expect(burst(gro, first.slice(0, 8))).toEqual([]);
    expect(gro.bucket(0).map((e) => e.head)).toEqual(first.slice(0, 8).reverse());
    // second packets of flows 0..7 merge
    const second = Array.from({ length: 8 }, (_, f) => seg(core, { seq: 1448, flow: f, hash: 0 }));
    expect(burst(gro, second)).toEqual([]);
    expect(burst(gro, [first[8]!])).toEqual([first[0]]);
    expect(core.skb.gsoSegs[first[0]!]).toBe(2);
    expect(gro.stats().reasons.bucket).toBe(1);
    expect(gro.bucket(0).length).toBe(8);
    expect(gro.bucket(0)[0]!.head).toBe(first[8]);
    expect(gro.bitmask).toBe(1);
  });
});

describe("flush (napi_gro_flush)", () => {
  it("bucket by bucket, oldest first; olderThan keeps the young ones", () => {
    const a = seg(core, { seq: 0, flow: 0, hash: 3 });
    const b = seg(core, { seq: 0, flow: 1, hash: 3 });
    const c = seg(core, { seq: 0, flow: 2, hash: 1 });
    burst(gro, [a], 100);
    burst(gro, [b], 2000);
    burst(gro, [c], 5000);
    expect(flushAll(gro, 1000)).toEqual([a]);
    expect(gro.heldCount).toBe(2);
    expect(flushAll(gro, 6000)).toEqual([c, b]);
    expect(gro.heldCount).toBe(0);
    expect(gro.bitmask).toBe(0);
    expect(gro.stats().reasons.flush).toBe(3);
  });

  it("a full out array stops the flush; the rest stay held", () => {
    const hs = Array.from({ length: 5 }, (_, f) => seg(core, { seq: 0, flow: f }));
    burst(gro, hs);
    expect(gro.flush(2048, Infinity, 2)).toBe(2);
    expect(gro.heldCount).toBe(3);
    expect(flushAll(gro).length).toBe(3);
  });
});

describe("settings, GSO input, errors", () => {
  it("GRO off: every packet goes up alone", () => {
    gro.setEnabled(false);
    const hs = train(core, 3, { seq: 0 });
    expect(burst(gro, hs)).toEqual(hs);
    expect(gro.stats().reasons.disabled).toBe(3);
  });

  it("a TCP GSO skb (count = gso_segs) merges when its gso_size equals the mss", () => {
    const a = seg(core, { seq: 0 });
    const g = seg(core, { seq: 1448, len: 2 * 1448 });
    core.skb.gsoSize[g] = 1448;
    core.skb.gsoSegs[g] = 2;
    core.skb.gsoType[g] = SKB_GSO_TCPV4;
    const d = seg(core, { seq: 1448 + 2896, len: 2 * 1448 });
    core.skb.gsoSize[d] = 1448;
    core.skb.gsoSegs[d] = 2;
    core.skb.gsoType[d] = SKB_GSO_TCPV4 | 2; // DODGY: never merged
    expect(burst(gro, [a, g, d])).toEqual([a, d]);
    expect(core.skb.gsoSegs[a]).toBe(3);
    expect(gro.stats().segmentsOut).toBe(5);
  });

  it("typed errors for bad arguments", async () => {
    expect(() => gro.receiveBurst(10, 4090, 0)).toThrow(RangeError);
    expect(() => gro.receiveBurst(10, 0, 5)).toThrow(/overlap/);
    expect(() => gro.setEnabled(1 as unknown as boolean)).toThrow(GroError);
    const small = await freshCore({ groContexts: 2 });
    expect(() => createGro(small, { contexts: 3 })).toThrow(/gro.contexts/);
    createGro(small, { contexts: 2 });
    expect(() => createGro(small)).toThrow(/core.groContexts/);
  });

  it("counters add up: in = merged + held + normal; out = completed + normal", () => {
    const hs = [...train(core, 50, { seq: 0 }), seg(core, { seq: 0, len: 0, flow: 3 })];
    burst(gro, hs);
    flushAll(gro);
    const st = gro.stats();
    expect(st.packetsIn).toBe(51);
    expect(st.merged + st.held + st.normal).toBe(51);
    expect(st.aggregatesOut).toBe(st.completed + st.normal);
    expect(st.segmentsOut).toBe(51);
    expect(core.poolStats().live).toBe(st.aggregatesOut);
    void segsOf;
  });
});
