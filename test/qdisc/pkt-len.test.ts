// qdisc_pkt_len_init (net/core/dev.c, 6.12, via qdisc_pkt_len_segs_init): a GSO skb counts skb->len plus
// (gso_segs - 1) header copies, hdr_len = transport offset + the TCP header. For an SKB_GSO_DODGY skb
// (an untrusted source) gso_segs is recomputed as DIV_ROUND_UP(payload, gso_size), and one with no
// payload ("Malicious packet") returns early: pkt_len stays skb->len.
import { beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../src/core/core.js";
import { freshCore } from "../helpers.js";
import { qdiscPktLen } from "../../src/qdisc/pkt-len.js";
import { SKB_GSO_DODGY, SKB_GSO_TCPV4 } from "../../src/core/gro.js";
import { superPacket } from "../gso/build.js";

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

  it("SKB_GSO_DODGY without payload: pkt_len = skb->len (the early return)", () => {
    const h = superPacket(core, { payload: 0, mss: 1448, gsoType: SKB_GSO_TCPV4 | SKB_GSO_DODGY });
    core.skb.gsoSegs[h] = 5;
    expect(core.skb.len[h]).toBe(66);
    expect(qdiscPktLen(core, h)).toBe(66);
  });
});
