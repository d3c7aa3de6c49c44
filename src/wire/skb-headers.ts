// Packet headers in an skb's 128 bytes of headroom (core.headers at h*128).
// writePacket builds Ethernet + IPv4/IPv6 + TCP/UDP from a spec and sets the
// skb columns; it is for setup and tests. The simulator's per-packet path is
// template copy + in-place patches: copyHeaders(core, template, h) then
// setTcpSeq / setPayloadLen / ..., each keeping every checksum valid through
// RFC 1624 updates, with no JS object per packet.
import type { Core } from "../core/core.js";
import { SKB_HEADROOM, SKB_OFFSET_UNSET } from "../core/skb-fields.js";
import { formatIPv4, formatIPv6, parseMac, toIpBytes } from "./addr.js";
import { get16, put16 } from "./bytes.js";
import { csumReplace2, csumReplace4 } from "./csum.js";
import { checkField, present, WireError } from "./errors.js";
import { ETH_HLEN, ETH_P_IP, ETH_P_IPV6, parseEthHeader, writeEthHeader, type EthHeader } from "./eth.js";
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_DADDR,
  IPV4_HLEN,
  IPV4_ID,
  IPV4_SADDR,
  IPV4_TOT_LEN,
  parseIpv4Header,
  setIpv4Field16,
  writeIpv4Header,
  type Ipv4Header,
} from "./ipv4.js";
import { IPV6_DADDR, IPV6_HLEN, IPV6_PAYLOAD_LEN, IPV6_SADDR, ipv6ExtHdr, parseIpv6Header, writeIpv6Header, type Ipv6Header } from "./ipv6.js";
import { fillL4Checksum, verifyL4Checksum } from "./l4csum.js";
import {
  TCP_CHECK,
  TCP_HLEN,
  TCP_MAX_HLEN,
  parseTcpHeader,
  tcpOptionsSize,
  tcpSetAckSeq,
  tcpSetFlags,
  tcpSetSeq,
  tcpSetTimestamps,
  tcpSetWindow,
  writeTcpHeader,
  type TcpHeader,
  type TcpOptions,
} from "./tcp.js";
import { UDP_HLEN, parseUdpHeader, writeUdpHeader, type UdpHeader } from "./udp.js";

export const DEFAULT_ETH_SRC = "02:00:00:00:00:01";
export const DEFAULT_ETH_DST = "02:00:00:00:00:02";

export interface IpSpec {
  version: 4 | 6;
  src: Uint8Array | string;
  dst: Uint8Array | string;
  /** TTL (IPv4) or hop limit (IPv6); default 64. */
  ttl?: number;
  /** IPv4 identification; default 0. */
  id?: number;
  /** IPv4 don't-fragment; default true, as ip_dont_fragment with IP_PMTUDISC_WANT. */
  df?: boolean;
  /** IPv4 TOS or IPv6 traffic class; default 0. */
  tos?: number;
  /** IPv6 flow label; default 0. */
  flowLabel?: number;
}

export interface TcpSpec {
  proto: "tcp";
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  urgent?: number;
  options?: TcpOptions;
}

export interface UdpSpec {
  proto: "udp";
  sport: number;
  dport: number;
}

export interface PacketSpec {
  ethSrc?: Uint8Array | string;
  ethDst?: Uint8Array | string;
  ip: IpSpec;
  l4: TcpSpec | UdpSpec;
  /** Virtual payload bytes after the L4 header; default 0. */
  payloadLen?: number;
}

/** Where the headers went: offsets are relative to the start of the frame. */
export interface BuiltHeaders {
  /** All header bytes (Ethernet + IP + L4). */
  hdrLen: number;
  /** hdrLen + payloadLen: skb->len. */
  len: number;
  network: number;
  transport: number;
  /** Ethertype, as skb->protocol. */
  protocol: number;
}

const scratch = new Uint8Array(SKB_HEADROOM);

function mac(v: Uint8Array | string | undefined, dflt: string, field: string): Uint8Array {
  const m = v === undefined ? parseMac(dflt) : typeof v === "string" ? parseMac(v) : v.length === 6 ? v : null;
  if (!m) throw new WireError("BAD_ARGUMENT", "eth", 0, `${field} must be a MAC address (6 bytes or "aa:bb:cc:dd:ee:ff")`);
  return m;
}

function ip(v: Uint8Array | string, version: 4 | 6, field: string): Uint8Array {
  const a = toIpBytes(v, version);
  if (!a) throw new WireError("BAD_ARGUMENT", version === 4 ? "ipv4" : "ipv6", 0, `${field} must be an IPv${version} address (${version === 4 ? 4 : 16} bytes or text)`);
  return a;
}

/** Build the headers for `spec` into out[off .. off+hdrLen). Throws WireError
 *  (BAD_ARGUMENT naming the field) before writing anything when the spec is bad. */
export function buildHeaders(spec: PacketSpec, out: Uint8Array, off = 0): BuiltHeaders {
  if (!spec || typeof spec !== "object" || !spec.ip || !spec.l4) {
    throw new WireError("BAD_ARGUMENT", "packet", 0, "spec needs ip and l4");
  }
  const v = spec.ip.version;
  if (v !== 4 && v !== 6) throw new WireError("BAD_ARGUMENT", "packet", 0, `ip.version = ${String(v)}, must be 4 or 6`);
  const l4 = spec.l4;
  if (l4.proto !== "tcp" && l4.proto !== "udp") {
    throw new WireError("BAD_ARGUMENT", "packet", 0, `l4.proto = ${String((l4 as { proto: unknown }).proto)}, must be "tcp" or "udp"`);
  }
  const payloadLen = checkField("packet", "payloadLen", spec.payloadLen ?? 0, 0, 0xffff);
  const ipLen = v === 4 ? IPV4_HLEN : IPV6_HLEN;
  const l4Len = l4.proto === "tcp" ? TCP_HLEN + tcpOptionsSize(l4.options) : UDP_HLEN;
  if (l4Len > TCP_MAX_HLEN) {
    throw new WireError("BAD_OPTION", "tcp", 0, `options need ${l4Len - TCP_HLEN} bytes, TCP allows 40 (SACK blocks: 4 max, 3 with timestamps)`);
  }
  const hdrLen = ETH_HLEN + ipLen + l4Len;
  if (hdrLen > SKB_HEADROOM) {
    throw new WireError("BAD_LENGTH", "packet", 0, `headers need ${hdrLen} bytes, an skb has ${SKB_HEADROOM}`);
  }
  const segLen = l4Len + payloadLen;
  if (ipLen * (v === 4 ? 1 : 0) + segLen > 0xffff) {
    throw new WireError("BAD_ARGUMENT", "packet", 0, `payloadLen = ${payloadLen}: the ${v === 4 ? "IPv4 total" : "IPv6 payload"} length would exceed 65535`);
  }
  // Build in scratch so a bad field leaves `out` untouched.
  const b = scratch;
  const ethertype = v === 4 ? ETH_P_IP : ETH_P_IPV6;
  writeEthHeader(b, 0, mac(spec.ethDst, DEFAULT_ETH_DST, "ethDst"), mac(spec.ethSrc, DEFAULT_ETH_SRC, "ethSrc"), ethertype);
  const proto = l4.proto === "tcp" ? IPPROTO_TCP : IPPROTO_UDP;
  const src = ip(spec.ip.src, v, "ip.src");
  const dst = ip(spec.ip.dst, v, "ip.dst");
  if (v === 4) {
    writeIpv4Header(b, ETH_HLEN, {
      src,
      dst,
      protocol: proto,
      totLen: IPV4_HLEN + segLen,
      id: spec.ip.id,
      df: spec.ip.df ?? true,
      ttl: spec.ip.ttl,
      tos: spec.ip.tos,
    });
  } else {
    writeIpv6Header(b, ETH_HLEN, {
      src,
      dst,
      nextHeader: proto,
      payloadLen: segLen,
      hopLimit: spec.ip.ttl,
      trafficClass: spec.ip.tos,
      flowLabel: spec.ip.flowLabel,
    });
  }
  const t = ETH_HLEN + ipLen;
  if (l4.proto === "tcp") writeTcpHeader(b, t, l4);
  else writeUdpHeader(b, t, l4.sport, l4.dport, segLen);
  fillL4Checksum(b, ETH_HLEN, t, l4Len, segLen);
  if (!Number.isInteger(off) || off < 0 || off + hdrLen > out.length) {
    throw new WireError("BAD_ARGUMENT", "packet", off, `output needs ${hdrLen} bytes at offset ${off}, has ${out.length}`);
  }
  out.set(b.subarray(0, hdrLen), off);
  return { hdrLen, len: hdrLen + payloadLen, network: ETH_HLEN, transport: t, protocol: ethertype };
}

function checkHandle(core: Core, h: number, what = "h"): void {
  if (!Number.isInteger(h) || h < 0 || h >= core.skb.len.length) {
    throw new WireError("BAD_ARGUMENT", "packet", 0, `skb handle ${what} = ${h} is outside 0..${core.skb.len.length - 1}`);
  }
}

/** Build the headers of `spec` into skb h and set len, hdrLen, mac, network,
 *  transport and protocol. */
export function writePacket(core: Core, h: number, spec: PacketSpec): BuiltHeaders {
  checkHandle(core, h);
  const r = buildHeaders(spec, core.headers, h * SKB_HEADROOM);
  const s = core.skb;
  s.len[h] = r.len;
  s.hdrLen[h] = r.hdrLen;
  s.mac[h] = 0;
  s.network[h] = r.network;
  s.transport[h] = r.transport;
  s.protocol[h] = r.protocol;
  return r;
}

/** A packet's headers built once, stamped into many skbs: the per-packet
 *  path copies bytes and five columns, with no spec validation and no object
 *  per packet (writePacket returns a fresh BuiltHeaders each call). */
export class HeaderTemplate {
  readonly bytes: Uint8Array;
  readonly built: BuiltHeaders;

  constructor(spec: PacketSpec) {
    const out = new Uint8Array(SKB_HEADROOM);
    this.built = buildHeaders(spec, out, 0);
    this.bytes = out.subarray(0, this.built.hdrLen);
  }

  /** Write the headers into skb h and set len, hdrLen, mac, network, transport, protocol. */
  stamp(core: Core, h: number): void {
    const r = this.built;
    core.headers.set(this.bytes, h * SKB_HEADROOM);
    const s = core.skb;
    s.len[h] = r.len;
    s.hdrLen[h] = r.hdrLen;
    s.mac[h] = 0;
    s.network[h] = r.network;
    s.transport[h] = r.transport;
    s.protocol[h] = r.protocol;
  }
}

/** Copy skb `from`'s header bytes and header columns to skb `to` (a template
 *  stamp; the rest of `to`'s metadata is left alone). */
export function copyHeaders(core: Core, from: number, to: number): void {
  checkHandle(core, from, "from");
  checkHandle(core, to, "to");
  const s = core.skb;
  const n = s.hdrLen[from]!;
  core.headers.copyWithin(to * SKB_HEADROOM, from * SKB_HEADROOM, from * SKB_HEADROOM + (n <= SKB_HEADROOM ? n : SKB_HEADROOM));
  s.len[to] = s.len[from]!;
  s.hdrLen[to] = n;
  s.mac[to] = s.mac[from]!;
  s.network[to] = s.network[from]!;
  s.transport[to] = s.transport[from]!;
  s.protocol[to] = s.protocol[from]!;
}

/** Offset of skb h's TCP header in core.headers; a typed error (not a silent
 *  write elsewhere) when h is out of range or the skb carries no TCP. */
function tcpOff(core: Core, h: number): number {
  const s = core.skb;
  const t = s.transport[h];
  const n = s.network[h];
  const base = h * SKB_HEADROOM;
  const b = core.headers;
  if (t === undefined || n === undefined || !(t + TCP_HLEN <= SKB_HEADROOM) || n >= t) {
    throw new WireError("BAD_ARGUMENT", "tcp", 0, `skb ${h} has no TCP header (network = ${n}, transport = ${t})`);
  }
  if (b[base + n + (b[base + n]! >> 4 === 4 ? 9 : 6)] !== IPPROTO_TCP) {
    throw new WireError("BAD_ARGUMENT", "tcp", 0, `skb ${h} is not a TCP packet`);
  }
  return base + t;
}

export function setTcpSeq(core: Core, h: number, seq: number): void {
  tcpSetSeq(core.headers, tcpOff(core, h), seq);
}

export function setTcpAck(core: Core, h: number, ack: number): void {
  tcpSetAckSeq(core.headers, tcpOff(core, h), ack);
}

export function setTcpFlags(core: Core, h: number, flags: number): void {
  tcpSetFlags(core.headers, tcpOff(core, h), flags);
}

export function setTcpWindow(core: Core, h: number, window: number): void {
  tcpSetWindow(core.headers, tcpOff(core, h), window);
}

/** Patch TSval/TSecr; false when the segment carries no timestamp option. */
export function setTcpTimestamps(core: Core, h: number, tsval: number, tsecr: number): boolean {
  return tcpSetTimestamps(core.headers, tcpOff(core, h), tsval, tsecr);
}

/** IPv4 identification (ignored for IPv6, which has none outside fragments). */
export function setIpId(core: Core, h: number, id: number): void {
  checkHandle(core, h);
  const n = core.skb.network[h]!;
  const o = h * SKB_HEADROOM + n;
  if (n !== SKB_OFFSET_UNSET && core.headers[o]! >> 4 === 4) setIpv4Field16(core.headers, o, IPV4_ID, id & 0xffff);
}

/** Change the virtual payload length: skb->len, the IP length, the UDP length
 *  and the L4 checksum (its pseudo-header length) all follow. */
export function setPayloadLen(core: Core, h: number, payloadLen: number): void {
  checkHandle(core, h);
  const s = core.skb;
  const net = s.network[h]!;
  const t = s.transport[h]!;
  if (net === SKB_OFFSET_UNSET || t === SKB_OFFSET_UNSET) {
    throw new WireError("BAD_ARGUMENT", "packet", 0, `skb ${h} has no network/transport header`);
  }
  const b = core.headers;
  const base = h * SKB_HEADROOM;
  const ipo = base + net;
  const l4o = base + t;
  const l4Len = s.hdrLen[h]! - t;
  const segLen = l4Len + payloadLen;
  const v4 = b[ipo]! >> 4 === 4;
  const max = v4 ? 0xffff - (t - net) : 0xffff;
  if (!Number.isInteger(payloadLen) || payloadLen < 0 || segLen > max) {
    throw new WireError("BAD_ARGUMENT", "packet", 0, `payloadLen = ${payloadLen} is outside 0..${max - l4Len}`);
  }
  let oldSeg: number;
  if (v4) {
    oldSeg = get16(b, ipo + IPV4_TOT_LEN) - (t - net);
    setIpv4Field16(b, ipo, IPV4_TOT_LEN, t - net + segLen);
  } else {
    oldSeg = get16(b, ipo + IPV6_PAYLOAD_LEN);
    put16(b, ipo + IPV6_PAYLOAD_LEN, segLen);
  }
  s.len[h] = s.hdrLen[h]! + payloadLen;
  if (b[ipo + (v4 ? 9 : 6)] === IPPROTO_TCP) {
    // The pseudo-header length word(s) changed: 16 bits for IPv4, 32 for IPv6.
    const c = get16(b, l4o + TCP_CHECK);
    put16(b, l4o + TCP_CHECK, v4 ? csumReplace2(c, oldSeg, segLen) : csumReplace4(c, oldSeg, segLen));
  } else {
    put16(b, l4o + 4, segLen); // the UDP length moves too; 8 bytes: recompute
    fillL4Checksum(b, ipo, l4o, l4Len, segLen);
  }
}

export interface FlowTuple {
  version: 4 | 6;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** IPPROTO_TCP / IPPROTO_UDP / other. */
  proto: number;
}

/** The 5-tuple of skb h, read from its headers (ports 0 for non-TCP/UDP). */
export function readFlowTuple(core: Core, h: number): FlowTuple {
  checkHandle(core, h);
  const net = core.skb.network[h]!;
  const t = core.skb.transport[h]!;
  const hdr = core.skb.hdrLen[h]!;
  if (net === SKB_OFFSET_UNSET || net + IPV4_HLEN > hdr || hdr > SKB_HEADROOM) {
    throw new WireError("BAD_ARGUMENT", "packet", 0, `skb ${h} has no network header (network = ${net}, hdrLen = ${hdr})`);
  }
  const b = core.headers;
  const o = h * SKB_HEADROOM + net;
  const version = b[o]! >> 4;
  let proto: number;
  let src: string;
  let dst: string;
  if (version === 4) {
    proto = b[o + 9]!;
    src = formatIPv4(b, o + IPV4_SADDR);
    dst = formatIPv4(b, o + IPV4_DADDR);
  } else if (version === 6 && net + IPV6_HLEN <= hdr) {
    proto = b[o + 6]!;
    src = formatIPv6(b, o + IPV6_SADDR);
    dst = formatIPv6(b, o + IPV6_DADDR);
  } else {
    throw new WireError("BAD_VERSION", version === 6 ? "ipv6" : "ipv4", net, `skb ${h}: IP version ${version} header does not fit`);
  }
  let sport = 0;
  let dport = 0;
  if ((proto === IPPROTO_TCP || proto === IPPROTO_UDP) && t !== SKB_OFFSET_UNSET && t + 4 <= hdr) {
    const l4 = h * SKB_HEADROOM + t;
    sport = get16(b, l4);
    dport = get16(b, l4 + 2);
  }
  return { version, src, dst, sport, dport, proto };
}

export type ParsedL4 = ({ proto: "tcp" } & TcpHeader) | ({ proto: "udp" } & UdpHeader);

export interface ParsedPacket {
  eth: EthHeader;
  /** null for a non-IP ethertype. */
  ip: Ipv4Header | Ipv6Header | null;
  /** null for other protocols and for non-first IPv4 fragments. */
  l4: ParsedL4 | null;
  /** Bytes of Ethernet + IP + L4 headers. */
  headerLen: number;
  /** L4 payload bytes (from the IP length). */
  payloadLen: number;
  /** Whether the L4 checksum verifies under the zero-filled-payload rule
   *  (bytes past `len` count as zeros); null when not computable. */
  l4CheckOk: boolean | null;
}

export interface ParseOptions {
  /** Throw BAD_CHECKSUM on a bad IPv4 header checksum (default true). */
  verifyIpChecksum?: boolean;
  /** Throw BAD_CHECKSUM when l4CheckOk is false (default false). */
  verifyL4Checksum?: boolean;
}

/** Parse a frame: `len` bytes present at bytes[off], `wireLen` its real
 *  length (skb->len or the pcap record's len). Throws only WireError. */
export function parsePacket(bytes: Uint8Array, off: number, len: number, wireLen = len, opts: ParseOptions = {}): ParsedPacket {
  if (!(bytes instanceof Uint8Array)) throw new WireError("BAD_ARGUMENT", "packet", 0, "bytes must be a Uint8Array");
  len = present(bytes, off, len, "packet");
  if (!(wireLen >= len)) throw new WireError("BAD_LENGTH", "packet", off, `wire length ${wireLen} is below the ${len} bytes present`);
  const eth = parseEthHeader(bytes, off, len);
  const r: ParsedPacket = { eth, ip: null, l4: null, headerLen: ETH_HLEN, payloadLen: wireLen - ETH_HLEN, l4CheckOk: null };
  const ipo = off + ETH_HLEN;
  let proto: number;
  let segLen: number;
  let firstFrag = true;
  let wholeDgram = true;
  if (eth.ethertype === ETH_P_IP) {
    const ip4 = parseIpv4Header(bytes, ipo, len - ETH_HLEN, wireLen - ETH_HLEN, opts.verifyIpChecksum ?? true);
    r.ip = ip4;
    proto = ip4.protocol;
    segLen = ip4.totLen - ip4.headerLen;
    firstFrag = ip4.fragOff === 0;
    wholeDgram = firstFrag && !ip4.mf;
  } else if (eth.ethertype === ETH_P_IPV6) {
    const ip6 = parseIpv6Header(bytes, ipo, len - ETH_HLEN, wireLen - ETH_HLEN);
    r.ip = ip6;
    proto = ip6.nextHeader;
    if (ipv6ExtHdr(proto)) {
      throw new WireError("UNSUPPORTED", "ipv6", ipo + 6, `extension header ${proto} is not modelled`);
    }
    segLen = ip6.payloadLen;
  } else {
    return r;
  }
  r.headerLen = ETH_HLEN + r.ip.headerLen;
  r.payloadLen = segLen;
  const l4o = ipo + r.ip.headerLen;
  const l4Avail = Math.min(len - (l4o - off), segLen);
  if (!firstFrag || (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP)) return r;
  let l4Len: number;
  if (proto === IPPROTO_TCP) {
    const th = parseTcpHeader(bytes, l4o, l4Avail, wholeDgram ? segLen : l4Avail);
    r.l4 = { proto: "tcp", ...th };
    l4Len = th.headerLen;
  } else {
    const uh = parseUdpHeader(bytes, l4o, l4Avail, wholeDgram ? segLen : Infinity);
    r.l4 = { proto: "udp", ...uh };
    l4Len = UDP_HLEN;
  }
  r.headerLen = l4o - off + l4Len;
  r.payloadLen = segLen - l4Len;
  if (wholeDgram) {
    r.l4CheckOk = verifyL4Checksum(bytes, ipo, l4o, l4Avail, segLen);
    if (opts.verifyL4Checksum && !r.l4CheckOk) {
      throw new WireError("BAD_CHECKSUM", r.l4.proto, l4o + (proto === IPPROTO_TCP ? TCP_CHECK : 6), `${r.l4.proto.toUpperCase()} checksum 0x${r.l4.check.toString(16)} does not verify`);
    }
  }
  return r;
}

/** parsePacket over skb h's header bytes, with skb->len as the wire length. */
export function parseSkb(core: Core, h: number, opts?: ParseOptions): ParsedPacket {
  checkHandle(core, h);
  const hdr = Math.min(core.skb.hdrLen[h]!, SKB_HEADROOM);
  return parsePacket(core.headers, h * SKB_HEADROOM, hdr, core.skb.len[h]!, opts);
}
