// IPv6 fixed header (RFC 8200; include/uapi/linux/ipv6.h struct ipv6hdr).
// Extension headers are not modelled: a packet whose next header is one of
// them parses as UNSUPPORTED. Jumbograms (payload length 0 + hop-by-hop) too.
import { formatIPv6 } from "./addr.js";
import { get16, get32, put16, put32 } from "./bytes.js";
import { checkField, need, present, WireError } from "./errors.js";

export const IPV6_HLEN = 40;
export const IPV6_PAYLOAD_LEN = 4;
export const IPV6_NEXTHDR = 6;
export const IPV6_HOP_LIMIT = 7;
export const IPV6_SADDR = 8;
export const IPV6_DADDR = 24;
export const IPV6_DEFAULT_HOPLIMIT = 64; // net.ipv6.conf.all.hop_limit

export const NEXTHDR_HOP = 0;
export const NEXTHDR_ROUTING = 43;
export const NEXTHDR_FRAGMENT = 44;
export const NEXTHDR_ESP = 50;
export const NEXTHDR_AUTH = 51;
export const NEXTHDR_ICMP = 58;
export const NEXTHDR_NONE = 59;
export const NEXTHDR_DEST = 60;

/** include/net/ipv6.h: ipv6_ext_hdr */
export function ipv6ExtHdr(nexthdr: number): boolean {
  return (
    nexthdr === NEXTHDR_HOP ||
    nexthdr === NEXTHDR_ROUTING ||
    nexthdr === NEXTHDR_FRAGMENT ||
    nexthdr === NEXTHDR_AUTH ||
    nexthdr === NEXTHDR_NONE ||
    nexthdr === NEXTHDR_DEST
  );
}

export interface Ipv6Fields {
  src: Uint8Array;
  dst: Uint8Array;
  nextHeader: number;
  /** Bytes after the 40-byte header: L4 header + payload. */
  payloadLen: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
}

export interface Ipv6Header {
  version: 6;
  headerLen: 40;
  trafficClass: number;
  flowLabel: number;
  payloadLen: number;
  nextHeader: number;
  hopLimit: number;
  src: string;
  dst: string;
}

export function writeIpv6Header(b: Uint8Array, o: number, f: Ipv6Fields): number {
  need(b, o, IPV6_HLEN, "ipv6", "IPv6 header");
  checkField("ipv6", "payloadLen", f.payloadLen, 0, 0xffff);
  checkField("ipv6", "nextHeader", f.nextHeader, 0, 255);
  const hop = checkField("ipv6", "hopLimit", f.hopLimit ?? IPV6_DEFAULT_HOPLIMIT, 0, 255);
  const tc = checkField("ipv6", "trafficClass", f.trafficClass ?? 0, 0, 255);
  const fl = checkField("ipv6", "flowLabel", f.flowLabel ?? 0, 0, 0xfffff);
  if (!(f.src instanceof Uint8Array) || f.src.length !== 16 || !(f.dst instanceof Uint8Array) || f.dst.length !== 16) {
    throw new WireError("BAD_ARGUMENT", "ipv6", 0, "src and dst must be 16-byte addresses");
  }
  // include/net/ipv6.h: ip6_flow_hdr
  put32(b, o, ((6 << 28) | (tc << 20) | fl) >>> 0);
  put16(b, o + IPV6_PAYLOAD_LEN, f.payloadLen);
  b[o + IPV6_NEXTHDR] = f.nextHeader;
  b[o + IPV6_HOP_LIMIT] = hop;
  b.set(f.src, o + IPV6_SADDR);
  b.set(f.dst, o + IPV6_DADDR);
  return IPV6_HLEN;
}

/** Parse the header at b[o]; checks follow net/ipv6/ip6_input.c: ip6_rcv_core. */
export function parseIpv6Header(b: Uint8Array, o: number, avail = b.length - o, wireLen = avail): Ipv6Header {
  avail = present(b, o, avail, "ipv6");
  if (avail < IPV6_HLEN) throw new WireError("TRUNCATED", "ipv6", o, `IPv6 header needs ${IPV6_HLEN} bytes, ${avail} present`);
  const w0 = get32(b, o);
  const version = w0 >>> 28;
  if (version !== 6) throw new WireError("BAD_VERSION", "ipv6", o, `version ${version}, expected 6`);
  const payloadLen = get16(b, o + IPV6_PAYLOAD_LEN);
  const nextHeader = b[o + IPV6_NEXTHDR]!;
  if (payloadLen === 0 && nextHeader === NEXTHDR_HOP) {
    throw new WireError("UNSUPPORTED", "ipv6", o + IPV6_PAYLOAD_LEN, "jumbograms (payload length 0 + hop-by-hop) are not modelled");
  }
  if (IPV6_HLEN + payloadLen > wireLen) {
    throw new WireError("BAD_LENGTH", "ipv6", o + IPV6_PAYLOAD_LEN, `payload length ${payloadLen} exceeds the ${wireLen - IPV6_HLEN} bytes after the header`);
  }
  return {
    version: 6,
    headerLen: IPV6_HLEN,
    trafficClass: (w0 >>> 20) & 0xff,
    flowLabel: w0 & 0xfffff,
    payloadLen,
    nextHeader,
    hopLimit: b[o + IPV6_HOP_LIMIT]!,
    src: formatIPv6(b, o + IPV6_SADDR),
    dst: formatIPv6(b, o + IPV6_DADDR),
  };
}
