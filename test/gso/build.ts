// Super-packet builder for the GSO tests: real Ethernet + IPv4/IPv6 + TCP
// headers through src/wire (writePacket), gso_size = MSS and the payload as a
// length, as tcp_write_xmit hands a TSO skb to the IP layer.
import type { Core } from "../../src/core/core.js";
import { writePacket } from "../../src/wire/skb-headers.js";
import { SKB_GSO_TCPV4, SKB_GSO_TCPV6 } from "../../src/core/gso.js";
import { SkbCol } from "../../src/core/skb-fields.js";

export const ACK = 0x10;
export const PSH = 0x08;
export const FIN = 0x01;
export const CWR = 0x80;
export const ECE = 0x40;
export const URG = 0x20;

export interface Super {
  v6?: boolean;
  payload: number;
  mss: number;
  seq?: number;
  id?: number;
  flags?: number;
  df?: boolean;
  ts?: boolean;
  gsoType?: number;
  truesize?: number;
}

export function superPacket(core: Core, s: Super): number {
  const h = core.allocOne(5);
  if (h < 0) throw new Error("skb pool exhausted");
  writePacket(core, h, {
    ip: s.v6 ? { version: 6, src: "2001:db8::1", dst: "2001:db8::2" } : { version: 4, src: "10.0.0.1", dst: "10.0.0.2", id: s.id ?? 0, df: s.df ?? true },
    l4: { proto: "tcp", sport: 40000, dport: 5201, seq: (s.seq ?? 1) >>> 0, ack: 7777, flags: s.flags ?? ACK, window: 502, options: s.ts === false ? undefined : { ts: { val: 1000, ecr: 500 } } },
    payloadLen: s.payload,
  });
  const sk = core.skb;
  sk.gsoSize[h] = s.mss;
  sk.gsoSegs[h] = Math.ceil(s.payload / s.mss);
  sk.gsoType[h] = s.gsoType ?? (s.v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4);
  sk.truesize[h] = s.truesize ?? 66816;
  sk.hash[h] = 0x51ccc178;
  sk.queue[h] = 3;
  sk.sk[h] = 17;
  sk.mark[h] = 9;
  core.skbTime.tstamp[h] = 123456;
  return h;
}

const COLS = Object.keys(SkbCol) as (keyof typeof SkbCol)[];

/** Every skb column, both times and the header bytes of the skbs hs: what two builds must agree on. */
export function skbSnapshot(core: Core, hs: number[]) {
  return hs.map((h) => ({
    cols: COLS.map((c) => core.skb[c][h]),
    t: [core.skbTime.tstamp[h], core.skbTime.born[h]],
    hdr: Array.from(core.headers.subarray(h * 128, h * 128 + core.skb.hdrLen[h]!)),
  }));
}
