import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import { rssInput, toeplitzBitwise, buildToeplitzTable, toeplitzTableHash } from "../../src/core/ref/toeplitz.js";
import { rssHash } from "../../src/core/rss.js";
import { HASH_L4 } from "../../src/core/skb-fields.js";
import { writeFrame } from "./build.js";

const key = fc.oneof(fc.uint8Array({ minLength: 40, maxLength: 40 }), fc.uint8Array({ minLength: 52, maxLength: 52 }));
const port = fc.integer({ min: 0, max: 0xffff });
const tuple = fc.oneof(
  fc.record({ src: fc.uint8Array({ minLength: 4, maxLength: 4 }), dst: fc.uint8Array({ minLength: 4, maxLength: 4 }), sport: port, dport: port, proto: fc.constantFrom(6, 17, 1), fragOff: fc.constantFrom(0, 0x4000, 0x2000, 0x0010) }),
  fc.record({ src: fc.uint8Array({ minLength: 16, maxLength: 16 }), dst: fc.uint8Array({ minLength: 16, maxLength: 16 }), sport: port, dport: port, proto: fc.constantFrom(6, 17, 58) }),
);

describe("WASM Toeplitz equals the bit-by-bit reference", () => {
  it("hashBurst on random keys and random IPv4/IPv6 tuples", async () => {
    const core = await freshCore();
    const ctx = core.rss.create({ queues: 16, retaSize: 512 });
    fc.assert(
      fc.property(key, fc.array(tuple, { minLength: 1, maxLength: 32 }), fc.boolean(), (k, tuples, l4) => {
        ctx.setKey(k);
        ctx.setL4(l4);
        const n = core.allocBurst(tuples.length);
        const hs = Array.from(core.scratch.subarray(0, n));
        tuples.forEach((t, i) => writeFrame(core, hs[i]!, t));
        expect(ctx.hashBurst(n)).toBe(n);
        tuples.forEach((t, i) => {
          const frag = "fragOff" in t && (t.fragOff & 0x3fff) !== 0;
          const ports = l4 && t.proto !== 1 && t.proto !== 58 && !frag;
          const want = toeplitzBitwise(k, ports ? rssInput(t.src, t.dst, t.sport, t.dport) : rssInput(t.src, t.dst));
          const h = hs[i]!;
          expect(core.skb.hash[h]).toBe(want);
          expect(core.skb.hashFlags[h]).toBe(ports ? HASH_L4 : 0);
          expect(core.skb.queue[h]).toBe((want & 511) % 16);
        });
        core.freeBurst(n);
      }),
      { numRuns: 150 },
    );
  });

  it("hashBytes, rssHash and the TS table on random keys (4..52 B) and inputs (0..48 B)", async () => {
    const core = await freshCore();
    const ctx = core.rss.create();
    fc.assert(
      fc.property(
        fc.oneof(key, fc.uint8Array({ minLength: 4, maxLength: 52 })),
        fc.array(fc.oneof(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ minLength: 36, maxLength: 36 }), fc.uint8Array({ maxLength: 48 })), { minLength: 1, maxLength: 8 }),
        (k, inputs) => {
          ctx.setKey(k);
          const table = buildToeplitzTable(k);
          for (const input of inputs) {
            const want = toeplitzBitwise(k, input);
            expect(ctx.hashBytes(input)).toBe(want);
            expect(rssHash(k, input)).toBe(want);
            expect(toeplitzTableHash(table, input)).toBe(want);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("the hash is linear: H(a xor b) = H(a) xor H(b)", () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ minLength: 36, maxLength: 36 }), fc.uint8Array({ minLength: 36, maxLength: 36 }), (k, a, b) => {
        const x = a.map((v, i) => v ^ b[i]!);
        expect(toeplitzBitwise(k, x)).toBe((toeplitzBitwise(k, a) ^ toeplitzBitwise(k, b)) >>> 0);
      }),
      { numRuns: 100 },
    );
  });
});
