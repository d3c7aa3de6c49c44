// assembly/cookie.ts cookie_synack4 (the cookie ISN and the SYN-ACK's
// headers in one WASM call) against its plain-TS reference: cookieSeq over
// the reference SipHash (src/core/ref/siphash.ts) and TcpStamp.writeRef of
// the same SYN-ACK (src/core/ref/cookie.ts). Random keys, tuples, sequence numbers, MSS indexes,
// minute counters, windows, timestamps and option layouts.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createCore } from "../../src/core/node.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { cookieIsn4Ref } from "../../src/core/ref/cookie.js";
import { SiphashKeys } from "../../src/core/siphash.js";
import { SegOut } from "../../src/tcp/segment.js";
import { TcpStamp } from "../../src/tcp/stamp.js";
import { TCPHDR_ACK, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { CookieSecrets, cookieSeq } from "../../src/tcp/cookie.js";
import { Rng } from "../../src/sim/rng.js";
import { COOKIE_ROW_TS_OFF, CookieBurst } from "../../src/tcp/cookie-burst.js";
import { IsnSecret } from "../../src/tcp/isn-secret.js";
import { txhashOf } from "../../src/tcp/txhash.js";
import { HASH_L4 } from "../../src/core/skb-fields.js";

interface CookieHot {
  cookie_burst_ptr(): number;
  cookie_burst_rows(): number;
  cookie_synack4_burst(n: number, key: number, laddr: number, tsKey: number, tk0: number, tk1: number, tk2: number, tk3: number): void;
  cookie_synack4(slot: number, h: number, key: number, laddr: number, raddr: number, lport: number, rport: number, sseq: number, mssind: number, count: number, win: number, tsval: number, tsecr: number): number;
}

const core = await createCore({ skbs: 300 });
const x = core.raw as unknown as CookieHot;
const COLS = ["len", "hdrLen", "mac", "network", "transport", "protocol"] as const;
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const snap = (h: number) => {
  const n = core.skb.hdrLen[h]!;
  return { bytes: Array.from(core.headers.subarray(h * SKB_HEADROOM, h * SKB_HEADROOM + n)), cols: COLS.map((c) => core.skb[c][h]) };
};
const putAddr = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

describe("cookie_synack4", () => {
  it("is cookieSeq (reference SipHash) + writeRef of the SYN-ACK, every option layout", () => {
    fc.assert(
      fc.property(
        fc.array(u32, { minLength: 16, maxLength: 16 }),
        fc.record({ laddr: u32, raddr: u32, lport: fc.integer({ min: 0, max: 65535 }), rport: fc.integer({ min: 0, max: 65535 }), sseq: u32, mssind: fc.integer({ min: 0, max: 3 }), count: u32, win: fc.integer({ min: 0, max: 65535 }), tsval: u32, tsecr: u32 }),
        fc.integer({ min: 0, max: 7 }),
        (words, f, layout) => {
          const keys = new SiphashKeys(core, Uint32Array.from(words));
          const tpl = new SegOut();
          tpl.flags = TCPHDR_SYN | TCPHDR_ACK;
          tpl.mss = 1460;
          tpl.ts = (layout & 1) !== 0;
          tpl.sackPerm = (layout & 2) !== 0;
          tpl.wscale = layout & 4 ? 7 : -1;
          const st = new TcpStamp(tpl);
          const slot = st.wasmSlot(core);
          expect(slot).toBeGreaterThanOrEqual(0);
          const want = cookieIsn4Ref(words, f.laddr, f.raddr, f.lport, f.rport, f.sseq, f.mssind, f.count);
          const s = new SegOut();
          Object.assign(s, { flags: tpl.flags, mss: tpl.mss, ts: tpl.ts, sackPerm: tpl.sackPerm, wscale: tpl.wscale });
          s.src = putAddr(f.laddr);
          s.dst = putAddr(f.raddr);
          s.sport = f.lport;
          s.dport = f.rport;
          s.seq = want;
          s.ack = (f.sseq + 1) >>> 0;
          s.window = f.win;
          s.tsVal = f.tsval;
          s.tsEcr = f.tsecr;
          core.headers.fill(0xa5, 0, 4 * SKB_HEADROOM);
          st.writeRef(core, 1, s);
          keys.claim();
          const got = x.cookie_synack4(slot, 2, keys.keyAddr(0), f.laddr, f.raddr, f.lport, f.rport, f.sseq, f.mssind, f.count, f.win, f.tsval, f.tsecr) >>> 0;
          expect(got).toBe(want);
          expect(snap(2)).toEqual(snap(1));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("gives the cookie CookieSecrets gives (the TS path of IPv6 and of hosts without a slot)", () => {
    const sec = new CookieSecrets(new Rng(11), core);
    const st = new TcpStamp(Object.assign(new SegOut(), { flags: TCPHDR_SYN | TCPHDR_ACK, mss: 1460 }));
    const slot = st.wasmSlot(core);
    sec.tuple4(0xc0a80001, 0x0a000002, 40000, 80);
    const want = cookieSeq(sec, 0x12345678, 3, 29_000_000) >>> 0;
    const got = x.cookie_synack4(slot, 1, sec.keyAddr4(), 0x0a000002, 0xc0a80001, 80, 40000, 0x12345678, 3, 29_000_000, 1000, 0, 0) >>> 0;
    expect(got).toBe(want);
    expect(core.headers[SKB_HEADROOM + 14 + 20 + 13]).toBe(TCPHDR_SYN | TCPHDR_ACK);
  });

  it("cookie_synack4_burst is cookie_synack4 row by row (the same headers: the cookie is the SYN-ACK's seq), each skb with txhashOf's L4 hash and a flagged row's TSval plus IsnSecret's timestamp offset", () => {
    const rows = x.cookie_burst_rows();
    expect(rows).toBeGreaterThanOrEqual(64 + 64);
    const area = new Uint32Array(core.memory.buffer, x.cookie_burst_ptr(), rows * 12);
    const slots: number[] = [];
    for (let layout = 0; layout < 8; layout++) {
      const tpl = Object.assign(new SegOut(), { flags: TCPHDR_SYN | TCPHDR_ACK, mss: 1460, ts: (layout & 1) !== 0, sackPerm: (layout & 2) !== 0, wscale: layout & 4 ? 7 : -1 });
      slots.push(new TcpStamp(tpl).wasmSlot(core));
    }
    const row = fc.record({ layout: fc.integer({ min: 0, max: 7 }), raddr: u32, lport: fc.integer({ min: 0, max: 65535 }), rport: fc.integer({ min: 0, max: 65535 }), sseq: u32, mssind: fc.integer({ min: 0, max: 3 }), count: u32, win: fc.integer({ min: 0, max: 65535 }), tsval: u32, tsecr: u32, tsOff: fc.boolean() });
    fc.assert(
      fc.property(fc.array(u32, { minLength: 16, maxLength: 16 }), u32, fc.array(row, { minLength: 1, maxLength: 128 }), fc.boolean(), fc.integer({ min: 1, max: 1000 }), (words, laddr, rs, keyOn, seed) => {
        const keys = new SiphashKeys(core, Uint32Array.from(words));
        const isn = new IsnSecret(new Rng(seed));
        // burst SYN-ACKs in skbs 0..n, the single calls' in 150..150+n
        rs.forEach((r, i) => {
          const w = [slots[r.layout]!, i, r.raddr, r.lport, r.rport, r.sseq, r.mssind, r.count, r.win, r.tsval, r.tsecr, r.tsOff ? COOKIE_ROW_TS_OFF : 0];
          area.set(w, i * 12);
          core.skb.hash[i] = 0;
          core.skb.hashFlags[i] = 0;
        });
        keys.claim();
        const k = isn.tsKey;
        if (keyOn) x.cookie_synack4_burst(rs.length, keys.keyAddr(0), laddr, 1, k[0]! | 0, k[1]! | 0, k[2]! | 0, k[3]! | 0);
        else x.cookie_synack4_burst(rs.length, keys.keyAddr(0), laddr, 0, 0, 0, 0, 0);
        rs.forEach((r, i) => {
          // TcpHost.tsOffset: IsnSecret.hash(the host's address, the peer's, 0, 0, 1)
          const tsval = keyOn && r.tsOff ? (r.tsval + isn.hash(laddr | 0, r.raddr | 0, 0, 0, 1)) >>> 0 : r.tsval;
          const want = x.cookie_synack4(slots[r.layout]!, 150 + i, keys.keyAddr(0), laddr, r.raddr, r.lport, r.rport, r.sseq, r.mssind, r.count, r.win, tsval, r.tsecr) >>> 0;
          expect(want).toBe(cookieIsn4Ref(words, laddr, r.raddr, r.lport, r.rport, r.sseq, r.mssind, r.count));
          expect(snap(i)).toEqual(snap(150 + i));
          expect(core.skb.hash[i]).toBe(txhashOf(r.lport, r.rport, r.raddr));
          expect(core.skb.hashFlags[i]).toBe(HASH_L4);
        });
      }),
      { numRuns: 60 },
    );
  });

  it("CookieBurst: rows go straight into the core's area; a burst claiming it has another's rows flushed first, in order", () => {
    const st = new TcpStamp(Object.assign(new SegOut(), { flags: TCPHDR_SYN | TCPHDR_ACK, mss: 1460, ts: true, sackPerm: true, wscale: 7 }));
    const slot = st.wasmSlot(core);
    const sec = new CookieSecrets(new Rng(3), core);
    const sent: string[] = [];
    const bursts: CookieBurst[] = [];
    const flushOf = (name: string, laddr: number) => () => bursts[name === "a" ? 0 : 1]!.flush(sec.keyAddr4(), laddr, null, (h) => (sent.push(`${name}${h}`), true));
    bursts.push(new CookieBurst(core, flushOf("a", 0x0a000002)), new CookieBurst(core, flushOf("b", 0x0a000003)));
    const [a, b] = bursts as [CookieBurst, CookieBurst];
    const add = (burst: CookieBurst, h: number) => burst.add(slot, h, 0xc0a80001, 80, 40000 + h, 0x1000 * h, 1, 29_000_000, 1000, 0x5000 + h, 7, 0);
    add(a, 10);
    add(a, 11);
    expect(a.n).toBe(2);
    expect(sent).toEqual([]);
    // b's first row: a's two SYN-ACKs leave first (stamped from a's rows), then b's row takes the area
    add(b, 20);
    expect(a.n).toBe(0);
    expect(sent).toEqual(["a10", "a11"]);
    add(b, 21);
    bursts[1]!.flush(sec.keyAddr4(), 0x0a000003, null, (h) => (sent.push(`b${h}`), true));
    expect(sent).toEqual(["a10", "a11", "b20", "b21"]);
    // what the burst stamped is cookie_synack4 of the same row
    x.cookie_synack4(slot, 30, sec.keyAddr4(), 0x0a000003, 0xc0a80001, 80, 40021, 0x1000 * 21, 1, 29_000_000, 1000, 0x5000 + 21, 7);
    expect(snap(21)).toEqual(snap(30));
    // a's rows were stamped under a's address
    x.cookie_synack4(slot, 31, sec.keyAddr4(), 0x0a000002, 0xc0a80001, 80, 40011, 0x1000 * 11, 1, 29_000_000, 1000, 0x5000 + 11, 7);
    expect(snap(11)).toEqual(snap(31));
  });

  it("CookieBurst: a full area is flushed before the next row (no row past the end, no output(undefined))", () => {
    const st = new TcpStamp(Object.assign(new SegOut(), { flags: TCPHDR_SYN | TCPHDR_ACK, mss: 1460, ts: true }));
    const slot = st.wasmSlot(core);
    const sec = new CookieSecrets(new Rng(5), core);
    const sent: (number | undefined)[] = [];
    const burst: CookieBurst = new CookieBurst(core, () => burst.flush(sec.keyAddr4(), 0x0a000002, null, (h) => (sent.push(h), true)));
    const cap = burst.capacity;
    const hOf = (i: number) => 100 + (i % 150);
    for (let i = 0; i <= cap; i++) burst.add(slot, hOf(i), 0xc0a80001, 80, 40000 + i, i, 1, 29_000_000, 1000, i, 7, 0);
    // the first `cap` SYN-ACKs left when row cap + 1 came; that row waits alone at the area's start
    expect(sent).toEqual(Array.from({ length: cap }, (_, i) => hOf(i)));
    expect(burst.n).toBe(1);
    burst.flush(sec.keyAddr4(), 0x0a000002, null, (h) => (sent.push(h), true));
    expect(sent.length).toBe(cap + 1);
    expect(sent[cap]).toBe(hOf(cap));
    x.cookie_synack4(slot, 99, sec.keyAddr4(), 0x0a000002, 0xc0a80001, 80, 40000 + cap, cap, 1, 29_000_000, 1000, cap, 7);
    expect(snap(hOf(cap))).toEqual(snap(99));
  });

  it("CookieBurst: a burst started by another's flush (its output) is flushed too before a third takes the area", () => {
    const st = new TcpStamp(Object.assign(new SegOut(), { flags: TCPHDR_SYN | TCPHDR_ACK, mss: 1460, ts: true, sackPerm: true }));
    const slot = st.wasmSlot(core);
    const sec = new CookieSecrets(new Rng(9), core);
    const sent: string[] = [];
    const row = (burst: CookieBurst, h: number) => burst.add(slot, h, 0xc0a80001, 80, 41000 + h, 0x100 * h, 2, 29_000_000, 2000, 0x700 + h, 3, 0);
    const out = (name: string) => (h: number) => {
      sent.push(`${name}${h}`);
      // a's first SYN-ACK, on its way out, makes host c answer a SYN inside the same poll
      if (name === "a" && h === 40) row(c, 60);
      return true;
    };
    const a: CookieBurst = new CookieBurst(core, () => a.flush(sec.keyAddr4(), 0x0a000002, null, out("a")));
    const b: CookieBurst = new CookieBurst(core, () => b.flush(sec.keyAddr4(), 0x0a000003, null, out("b")));
    const c: CookieBurst = new CookieBurst(core, () => c.flush(sec.keyAddr4(), 0x0a000004, null, out("c")));
    row(a, 40);
    row(a, 41);
    // b's first row: a flushes, c starts a burst during it; c's row must leave before b overwrites it
    row(b, 50);
    expect(c.n).toBe(0);
    expect(sent).toEqual(["a40", "a41", "c60"]);
    b.flush(sec.keyAddr4(), 0x0a000003, null, out("b"));
    expect(sent).toEqual(["a40", "a41", "c60", "b50"]);
    // c's SYN-ACK was stamped from c's row under c's address
    x.cookie_synack4(slot, 70, sec.keyAddr4(), 0x0a000004, 0xc0a80001, 80, 41060, 0x100 * 60, 2, 29_000_000, 2000, 0x700 + 60, 3);
    expect(snap(60)).toEqual(snap(70));
  });
});
