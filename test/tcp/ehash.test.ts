// The per-port socket table (src/tcp/ehash.ts) against a Map over random
// insert/lookup/delete sequences, with keys crowded into few slots so probe
// runs wrap and backward-shift deletion is exercised.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SockTable } from "../../src/tcp/ehash.js";
import { TcpSock } from "../../src/tcp/sock.js";

type Op = { op: "set" | "get" | "del"; rkey: number; rport: number };

const key = fc.record({
  // a small key space makes hits, overwrites and collisions common
  rkey: fc.oneof(fc.integer({ min: 0, max: 7 }), fc.constantFrom(0xffffffff, 0x80000000, 0x0a000001)),
  rport: fc.integer({ min: 0, max: 65535 }).map((p) => p % 24),
});
const op: fc.Arbitrary<Op> = fc.record({ op: fc.constantFrom("set", "get", "del"), k: key }).map(({ op, k }) => ({ op, ...k }));

describe("SockTable (ehash)", () => {
  it("behaves as a Map keyed by (rkey, rport)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const t = new SockTable();
        const m = new Map<string, TcpSock>();
        for (const o of ops) {
          const k = `${o.rkey}/${o.rport}`;
          if (o.op === "set") {
            const sk = new TcpSock();
            t.set(o.rkey, o.rport, sk);
            m.set(k, sk);
          } else if (o.op === "del") {
            expect(t.delete(o.rkey, o.rport)).toBe(m.delete(k));
          } else {
            expect(t.get(o.rkey, o.rport)).toBe(m.get(k));
            expect(t.has(o.rkey, o.rport)).toBe(m.has(k));
          }
          expect(t.size).toBe(m.size);
        }
        expect(new Set(t.values())).toEqual(new Set(m.values()));
        // every surviving entry is still reachable after all the shifting
        for (const [k, sk] of m) {
          const [a, b] = k.split("/").map(Number);
          expect(t.get(a!, b!)).toBe(sk);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("grows past its initial capacity and keeps every entry", () => {
    const t = new SockTable();
    const socks: TcpSock[] = [];
    for (let i = 0; i < 1000; i++) {
      const sk = new TcpSock();
      socks.push(sk);
      t.set(0x0a000000 + i * 7919, 1024 + (i % 50), sk);
    }
    expect(t.size).toBe(1000);
    for (let i = 0; i < 1000; i += 2) expect(t.delete(0x0a000000 + i * 7919, 1024 + (i % 50))).toBe(true);
    expect(t.size).toBe(500);
    for (let i = 0; i < 1000; i++) expect(t.get(0x0a000000 + i * 7919, 1024 + (i % 50))).toBe(i % 2 ? socks[i] : undefined);
  });
});
