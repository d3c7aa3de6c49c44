// IPv4 header (RFC 791; include/uapi/linux/ip.h struct iphdr). The header
// checksum is computed on write and verified on parse; checks run in the
// order of net/ipv4/ip_input.c: ip_rcv_core.
import { formatIPv4 } from "./addr.js";
import { checkField, need, present, WireError } from "./errors.js";
import { csumFold, csumPartial, csumReplace2, internetChecksum } from "./csum.js";
import { get16, put16 } from "./bytes.js";

export const IPV4_HLEN = 20;
export const IPV4_MAX_HLEN = 60;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IP_CE = 0x8000;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFSET = 0x1fff;
export const IP_DEFAULT_TTL = 64; // net.ipv4.ip_default_ttl

/** Byte offsets of the fields inside struct iphdr. */
export const IPV4_TOS = 1;
export const IPV4_TOT_LEN = 2;
export const IPV4_ID = 4;
export const IPV4_FRAG_OFF = 6;
export const IPV4_TTL = 8;
export const IPV4_PROTOCOL = 9;
export const IPV4_CHECK = 10;
export const IPV4_SADDR = 12;
export const IPV4_DADDR = 16;

export interface Ipv4Fields {
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  /** Total length: header + options + L4 header + payload. */
  totLen: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  fragOff?: number;
  ttl?: number;
  tos?: number;
  /** Raw options, a multiple of 4 bytes, at most 40. */
  options?: Uint8Array;
}

export interface Ipv4Header {
  version: 4;
  ihl: number;
  headerLen: number;
  tos: number;
  totLen: number;
  id: number;
  df: boolean;
  mf: boolean;
  fragOff: number;
  ttl: number;
  protocol: number;
  check: number;
  checkOk: boolean;
  src: string;
  dst: string;
  options: Uint8Array;
}

/** Write the header at b[o]; returns its length. The checksum is filled in. */
export function writeIpv4Header(b: Uint8Array, o: number, f: Ipv4Fields): number {
  const optLen = f.options ? f.options.length : 0;
  if (optLen % 4 !== 0 || optLen > 40) {
    throw new WireError("BAD_OPTION", "ipv4", 0, `options length ${optLen} must be a multiple of 4 in 0..40`);
  }
  const hl = IPV4_HLEN + optLen;
  need(b, o, hl, "ipv4", "IPv4 header");
  checkField("ipv4", "totLen", f.totLen, hl, 0xffff);
  checkField("ipv4", "protocol", f.protocol, 0, 255);
  const id = checkField("ipv4", "id", f.id ?? 0, 0, 0xffff);
  const ttl = checkField("ipv4", "ttl", f.ttl ?? IP_DEFAULT_TTL, 0, 255);
  const tos = checkField("ipv4", "tos", f.tos ?? 0, 0, 255);
  const frag = checkField("ipv4", "fragOff", f.fragOff ?? 0, 0, IP_OFFSET);
  if (!(f.src instanceof Uint8Array) || f.src.length !== 4 || !(f.dst instanceof Uint8Array) || f.dst.length !== 4) {
    throw new WireError("BAD_ARGUMENT", "ipv4", 0, "src and dst must be 4-byte addresses");
  }
  const fo = (f.df ? IP_DF : 0) | (f.mf ? IP_MF : 0) | frag;
  b[o] = 0x40 | (hl >> 2);
  b[o + IPV4_TOS] = tos;
  put16(b, o + IPV4_TOT_LEN, f.totLen);
  put16(b, o + IPV4_ID, id);
  put16(b, o + IPV4_FRAG_OFF, fo);
  b[o + IPV4_TTL] = ttl;
  b[o + IPV4_PROTOCOL] = f.protocol;
  put16(b, o + IPV4_CHECK, 0);
  b.set(f.src, o + IPV4_SADDR);
  b.set(f.dst, o + IPV4_DADDR);
  if (f.options) b.set(f.options, o + IPV4_HLEN);
  put16(b, o + IPV4_CHECK, internetChecksum(b, o, hl));
  return hl;
}

/** Recompute the header checksum in place (include/net/ip.h: ip_send_check). */
export function ipv4SendCheck(b: Uint8Array, o: number): void {
  const hl = (b[o]! & 0xf) << 2;
  put16(b, o + IPV4_CHECK, 0);
  put16(b, o + IPV4_CHECK, csumFold(csumPartial(b, o, hl)));
}

/** Set a 16-bit header field (tot_len, id, frag_off) and patch the checksum
 *  incrementally (RFC 1624), as ip_decrease_ttl / csum_replace2 do. */
export function setIpv4Field16(b: Uint8Array, o: number, field: number, v: number): void {
  const old = get16(b, o + field);
  put16(b, o + field, v);
  put16(b, o + IPV4_CHECK, csumReplace2(get16(b, o + IPV4_CHECK), old, v & 0xffff));
}

/** Parse and validate the header at b[o]. `avail` = bytes present from o;
 *  `wireLen` = bytes the packet really has from o (payload included). */
export function parseIpv4Header(
  b: Uint8Array,
  o: number,
  avail = b.length - o,
  wireLen = avail,
  verifyChecksum = true,
): Ipv4Header {
  avail = present(b, o, avail, "ipv4");
  if (avail < IPV4_HLEN) throw new WireError("TRUNCATED", "ipv4", o, `IPv4 header needs ${IPV4_HLEN} bytes, ${Math.max(0, avail)} present`);
  const version = b[o]! >> 4;
  if (version !== 4) throw new WireError("BAD_VERSION", "ipv4", o, `version ${version}, expected 4`);
  const ihl = b[o]! & 0xf;
  if (ihl < 5) throw new WireError("BAD_IHL", "ipv4", o, `IHL ${ihl} is below the minimum 5 (20 bytes)`);
  const hl = ihl * 4;
  if (avail < hl) throw new WireError("TRUNCATED", "ipv4", o, `IHL ${ihl} says ${hl} header bytes, ${avail} present`);
  const totLen = get16(b, o + IPV4_TOT_LEN);
  if (totLen < hl) throw new WireError("BAD_LENGTH", "ipv4", o + IPV4_TOT_LEN, `total length ${totLen} is shorter than the ${hl}-byte header`);
  if (totLen > wireLen) {
    throw new WireError("BAD_LENGTH", "ipv4", o + IPV4_TOT_LEN, `total length ${totLen} exceeds the ${wireLen} bytes the packet has`);
  }
  const sum = csumFold(csumPartial(b, o, hl));
  if (verifyChecksum && sum !== 0) {
    throw new WireError("BAD_CHECKSUM", "ipv4", o + IPV4_CHECK, `header checksum 0x${get16(b, o + IPV4_CHECK).toString(16)} does not verify`);
  }
  const fo = get16(b, o + IPV4_FRAG_OFF);
  return {
    version: 4,
    ihl,
    headerLen: hl,
    tos: b[o + IPV4_TOS]!,
    totLen,
    id: get16(b, o + IPV4_ID),
    df: (fo & IP_DF) !== 0,
    mf: (fo & IP_MF) !== 0,
    fragOff: fo & IP_OFFSET,
    ttl: b[o + IPV4_TTL]!,
    protocol: b[o + IPV4_PROTOCOL]!,
    check: get16(b, o + IPV4_CHECK),
    checkOk: sum === 0,
    src: formatIPv4(b, o + IPV4_SADDR),
    dst: formatIPv4(b, o + IPV4_DADDR),
    options: b.slice(o + IPV4_HLEN, o + hl),
  };
}
