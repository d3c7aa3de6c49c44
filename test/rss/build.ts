// Minimal RX frame writer for the RSS tests: Ethernet + IPv4/IPv6 + the first
// 4 bytes of TCP/UDP (the ports), written straight into an skb's header bytes
// with the offset columns set as a driver + eth_type_trans would leave them.
import type { Core } from "../../src/core/core.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { addrBytes } from "../../src/core/ref/toeplitz.js";

export interface Frame {
  src: string | Uint8Array;
  dst: string | Uint8Array;
  sport?: number;
  dport?: number;
  /** IPv4 protocol / IPv6 next header (default 6, TCP). */
  proto?: number;
  /** IPv4 frag_off field as on the wire (flags << 13 | offset); default 0x4000 (DF). */
  fragOff?: number;
  /** Ethertype override (default from the address family). */
  ethertype?: number;
}

export const ETH_HLEN = 14;

export function writeFrame(core: Core, h: number, f: Frame): void {
  const s = typeof f.src === "string" ? addrBytes(f.src) : f.src;
  const d = typeof f.dst === "string" ? addrBytes(f.dst) : f.dst;
  const v6 = s.length === 16;
  const base = h * SKB_HEADROOM;
  const b = core.headers.subarray(base, base + SKB_HEADROOM);
  b.fill(0);
  const ethertype = f.ethertype ?? (v6 ? 0x86dd : 0x0800);
  b[12] = ethertype >> 8;
  b[13] = ethertype & 0xff;
  const ip = ETH_HLEN;
  const proto = f.proto ?? 6;
  let l4: number;
  if (v6) {
    b[ip] = 0x60;
    b[ip + 6] = proto; // next header
    b[ip + 7] = 64;
    b.set(s, ip + 8);
    b.set(d, ip + 24);
    l4 = ip + 40;
  } else {
    const frag = f.fragOff ?? 0x4000;
    b[ip] = 0x45;
    b[ip + 6] = frag >> 8;
    b[ip + 7] = frag & 0xff;
    b[ip + 8] = 64;
    b[ip + 9] = proto;
    b.set(s, ip + 12);
    b.set(d, ip + 16);
    l4 = ip + 20;
  }
  const sport = f.sport ?? 0;
  const dport = f.dport ?? 0;
  b[l4] = sport >> 8;
  b[l4 + 1] = sport & 0xff;
  b[l4 + 2] = dport >> 8;
  b[l4 + 3] = dport & 0xff;
  core.skb.mac[h] = 0;
  core.skb.network[h] = ip;
  core.skb.transport[h] = l4;
  core.skb.protocol[h] = ethertype;
  core.skb.hdrLen[h] = l4 + 20;
}
