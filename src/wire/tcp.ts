// TCP header and options (RFC 9293, RFC 7323, RFC 2018; include/uapi/linux/tcp.h,
// include/net/tcp.h). Options are written in the layout of
// net/ipv4/tcp_output.c: tcp_options_write, so a SYN carries
//   MSS(4) | SACK_PERM(2)+TS(10) | NOP+WS(3)            = 20 bytes
// and a data segment NOP,NOP,TS (12 bytes); parsing accepts any order.
import { get16, get32, put16, put32 } from "./bytes.js";
import { csumReplace2, csumReplace4, csumReplaceSum } from "./csum.js";
import { checkField, need, present, WireError } from "./errors.js";

export const TCP_HLEN = 20;
export const TCP_MAX_HLEN = 60;
export const TCP_MAX_OPTLEN = 40;
export const TCP_MAX_WSCALE = 14;

// include/net/tcp.h
export const TCPHDR_FIN = 0x01;
export const TCPHDR_SYN = 0x02;
export const TCPHDR_RST = 0x04;
export const TCPHDR_PSH = 0x08;
export const TCPHDR_ACK = 0x10;
export const TCPHDR_URG = 0x20;
export const TCPHDR_ECE = 0x40;
export const TCPHDR_CWR = 0x80;

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

export const TCPOLEN_MSS = 4;
export const TCPOLEN_WINDOW = 3;
export const TCPOLEN_SACK_PERM = 2;
export const TCPOLEN_SACK_BASE = 2;
export const TCPOLEN_SACK_PERBLOCK = 8;
export const TCPOLEN_TIMESTAMP = 10;

/** Byte offsets inside struct tcphdr. */
export const TCP_SEQ = 4;
export const TCP_ACK_SEQ = 8;
export const TCP_DOFF = 12;
export const TCP_FLAGS = 13;
export const TCP_WINDOW = 14;
export const TCP_CHECK = 16;
export const TCP_URG_PTR = 18;

export interface TcpOptions {
  mss?: number;
  wscale?: number;
  sackPerm?: boolean;
  /** TSval, TSecr. */
  ts?: { val: number; ecr: number };
  /** SACK blocks [start, end), at most 4 (3 alongside timestamps). */
  sack?: ReadonlyArray<readonly [number, number]>;
}

export interface ParsedTcpOptions extends TcpOptions {
  /** Option kinds in wire order, NOP and EOL included. */
  kinds: number[];
}

export interface TcpFields {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  urgent?: number;
  options?: TcpOptions;
}

export interface TcpHeader {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  doff: number;
  headerLen: number;
  flags: number;
  window: number;
  check: number;
  urgent: number;
  options: ParsedTcpOptions;
}

const FLAG_NAMES: [number, string][] = [
  [TCPHDR_CWR, "CWR"],
  [TCPHDR_ECE, "ECE"],
  [TCPHDR_URG, "URG"],
  [TCPHDR_ACK, "ACK"],
  [TCPHDR_PSH, "PSH"],
  [TCPHDR_RST, "RST"],
  [TCPHDR_SYN, "SYN"],
  [TCPHDR_FIN, "FIN"],
];

/** "SYN|ACK" style rendering for reports and the CLI. */
export function tcpFlagsString(flags: number): string {
  const out: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) out.push(name);
  return out.length ? out.join("|") : "none";
}

/** Bytes tcp_options_write would emit for `o` (a multiple of 4). */
export function tcpOptionsSize(o: TcpOptions | undefined): number {
  if (!o) return 0;
  let n = 0;
  if (o.mss !== undefined) n += 4;
  if (o.ts) n += 12;
  else if (o.sackPerm) n += 4;
  if (o.wscale !== undefined) n += 4;
  if (o.sack && o.sack.length) n += 4 + 8 * o.sack.length;
  return n;
}

/** Write options at b[o] in Linux's layout; returns bytes written. */
export function writeTcpOptions(b: Uint8Array, o: number, opts: TcpOptions | undefined): number {
  if (!opts) return 0;
  const size = tcpOptionsSize(opts);
  if (size > TCP_MAX_OPTLEN) {
    throw new WireError("BAD_OPTION", "tcp", 0, `options need ${size} bytes, TCP allows ${TCP_MAX_OPTLEN} (SACK blocks: 4 max, 3 with timestamps)`);
  }
  need(b, o, size, "tcp", "TCP options");
  let p = o;
  if (opts.mss !== undefined) {
    const mss = checkField("tcp", "options.mss", opts.mss, 0, 0xffff);
    put32(b, p, ((TCPOPT_MSS << 24) | (TCPOLEN_MSS << 16) | mss) >>> 0);
    p += 4;
  }
  if (opts.ts) {
    const val = checkField("tcp", "options.ts.val", opts.ts.val, 0, 0xffffffff);
    const ecr = checkField("tcp", "options.ts.ecr", opts.ts.ecr, 0, 0xffffffff);
    if (opts.sackPerm) {
      put32(b, p, ((TCPOPT_SACK_PERM << 24) | (TCPOLEN_SACK_PERM << 16) | (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP) >>> 0);
    } else {
      put32(b, p, ((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP) >>> 0);
    }
    put32(b, p + 4, val);
    put32(b, p + 8, ecr);
    p += 12;
  } else if (opts.sackPerm) {
    put32(b, p, (TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_SACK_PERM << 8) | TCPOLEN_SACK_PERM);
    p += 4;
  }
  if (opts.wscale !== undefined) {
    const ws = checkField("tcp", "options.wscale", opts.wscale, 0, TCP_MAX_WSCALE);
    put32(b, p, (TCPOPT_NOP << 24) | (TCPOPT_WINDOW << 16) | (TCPOLEN_WINDOW << 8) | ws);
    p += 4;
  }
  if (opts.sack && opts.sack.length) {
    put32(b, p, (TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_SACK << 8) | (TCPOLEN_SACK_BASE + 8 * opts.sack.length));
    p += 4;
    for (const [s, e] of opts.sack) {
      put32(b, p, checkField("tcp", "options.sack start", s, 0, 0xffffffff));
      put32(b, p + 4, checkField("tcp", "options.sack end", e, 0, 0xffffffff));
      p += 8;
    }
  }
  return p - o;
}

/** Parse `len` option bytes at b[o], in any order (net/ipv4/tcp_input.c:
 *  tcp_parse_options), but strictly: a length below 2, running past the
 *  header, or wrong for a known kind is BAD_OPTION rather than ignored. */
export function parseTcpOptions(b: Uint8Array, o: number, len: number): ParsedTcpOptions {
  need(b, o, len, "tcp", "TCP options");
  const r: ParsedTcpOptions = { kinds: [] };
  const end = o + len;
  let p = o;
  while (p < end) {
    const kind = b[p]!;
    r.kinds.push(kind);
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      p++;
      continue;
    }
    if (p + 1 >= end) throw new WireError("BAD_OPTION", "tcp", p, `option kind ${kind} has no length byte`);
    const size = b[p + 1]!;
    if (size < 2) throw new WireError("BAD_OPTION", "tcp", p + 1, `option kind ${kind} length ${size} is below 2`);
    if (p + size > end) throw new WireError("BAD_OPTION", "tcp", p + 1, `option kind ${kind} length ${size} runs past the header (${end - p} bytes left)`);
    const want = (n: number, what: string) => {
      if (size !== n) throw new WireError("BAD_OPTION", "tcp", p + 1, `${what} option length ${size}, must be ${n}`);
    };
    switch (kind) {
      case TCPOPT_MSS:
        want(TCPOLEN_MSS, "MSS");
        r.mss = get16(b, p + 2);
        break;
      case TCPOPT_WINDOW:
        want(TCPOLEN_WINDOW, "window scale");
        r.wscale = b[p + 2]!;
        break;
      case TCPOPT_SACK_PERM:
        want(TCPOLEN_SACK_PERM, "SACK-permitted");
        r.sackPerm = true;
        break;
      case TCPOPT_TIMESTAMP:
        want(TCPOLEN_TIMESTAMP, "timestamp");
        r.ts = { val: get32(b, p + 2), ecr: get32(b, p + 6) };
        break;
      case TCPOPT_SACK: {
        const blocks = (size - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_PERBLOCK;
        if (size < TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK || !Number.isInteger(blocks)) {
          throw new WireError("BAD_OPTION", "tcp", p + 1, `SACK option length ${size}, must be 2 + 8n with n >= 1`);
        }
        const sack: [number, number][] = [];
        for (let k = 0; k < blocks; k++) sack.push([get32(b, p + 2 + 8 * k), get32(b, p + 6 + 8 * k)]);
        r.sack = sack;
        break;
      }
      default:
        break; // unknown kinds are skipped by length, as Linux does
    }
    p += size;
  }
  return r;
}

/** Write a TCP header (check = 0; fill it with l4csum.ts) at b[o]; returns its length. */
export function writeTcpHeader(b: Uint8Array, o: number, f: TcpFields): number {
  const optLen = tcpOptionsSize(f.options);
  const hl = TCP_HLEN + optLen;
  if (hl > TCP_MAX_HLEN) {
    throw new WireError("BAD_OPTION", "tcp", 0, `options need ${optLen} bytes, TCP allows ${TCP_MAX_OPTLEN} (SACK blocks: 4 max, 3 with timestamps)`);
  }
  need(b, o, hl, "tcp", "TCP header");
  put16(b, o, checkField("tcp", "sport", f.sport, 0, 0xffff));
  put16(b, o + 2, checkField("tcp", "dport", f.dport, 0, 0xffff));
  put32(b, o + TCP_SEQ, checkField("tcp", "seq", f.seq ?? 0, 0, 0xffffffff));
  put32(b, o + TCP_ACK_SEQ, checkField("tcp", "ack", f.ack ?? 0, 0, 0xffffffff));
  b[o + TCP_DOFF] = (hl >> 2) << 4;
  b[o + TCP_FLAGS] = checkField("tcp", "flags", f.flags ?? 0, 0, 0xff);
  put16(b, o + TCP_WINDOW, checkField("tcp", "window", f.window ?? 0, 0, 0xffff));
  put16(b, o + TCP_CHECK, 0);
  put16(b, o + TCP_URG_PTR, checkField("tcp", "urgent", f.urgent ?? 0, 0, 0xffff));
  writeTcpOptions(b, o + TCP_HLEN, f.options);
  return hl;
}

/** Parse the header at b[o]. `avail` = bytes present; `segLen` = the real
 *  segment length (header + payload) from the IP layer, when known.
 *  Checks follow net/ipv4/tcp_ipv4.c: tcp_v4_rcv. */
export function parseTcpHeader(b: Uint8Array, o: number, avail = b.length - o, segLen = Infinity): TcpHeader {
  avail = present(b, o, avail, "tcp");
  if (avail < TCP_HLEN || segLen < TCP_HLEN) {
    throw new WireError("TRUNCATED", "tcp", o, `TCP header needs ${TCP_HLEN} bytes, ${Math.min(avail, segLen)} present`);
  }
  const doff = b[o + TCP_DOFF]! >> 4;
  const hl = doff * 4;
  if (doff < 5) throw new WireError("BAD_DATA_OFFSET", "tcp", o + TCP_DOFF, `data offset ${doff} is below the minimum 5 (20 bytes)`);
  if (hl > segLen) throw new WireError("BAD_DATA_OFFSET", "tcp", o + TCP_DOFF, `data offset ${doff} (${hl} bytes) exceeds the ${segLen}-byte segment`);
  if (hl > avail) throw new WireError("TRUNCATED", "tcp", o, `data offset ${doff} says ${hl} header bytes, ${avail} present`);
  return {
    sport: get16(b, o),
    dport: get16(b, o + 2),
    seq: get32(b, o + TCP_SEQ),
    ack: get32(b, o + TCP_ACK_SEQ),
    doff,
    headerLen: hl,
    flags: b[o + TCP_FLAGS]!,
    window: get16(b, o + TCP_WINDOW),
    check: get16(b, o + TCP_CHECK),
    urgent: get16(b, o + TCP_URG_PTR),
    options: parseTcpOptions(b, o + TCP_HLEN, hl - TCP_HLEN),
  };
}

// In-place field patches that keep the checksum valid (RFC 1624), for the
// simulator's template-copy path. `o` is the TCP header's offset.

export function tcpSetSeq(b: Uint8Array, o: number, seq: number): void {
  patch32(b, o, TCP_SEQ, seq >>> 0);
}

export function tcpSetAckSeq(b: Uint8Array, o: number, ack: number): void {
  patch32(b, o, TCP_ACK_SEQ, ack >>> 0);
}

export function tcpSetWindow(b: Uint8Array, o: number, win: number): void {
  patch16(b, o, TCP_WINDOW, win & 0xffff);
}

/** Flags share a 16-bit word with the data offset. */
export function tcpSetFlags(b: Uint8Array, o: number, flags: number): void {
  patch16(b, o, TCP_DOFF, (b[o + TCP_DOFF]! << 8) | (flags & 0xff));
}

/** Offset of the timestamp option's TSval within the header at b[o], or -1.
 *  Fast path for Linux's NOP,NOP,TS first word; otherwise a scan. */
export function tcpTimestampOffset(b: Uint8Array, o: number): number {
  const hl = (b[o + TCP_DOFF]! >> 4) * 4;
  if (hl >= TCP_HLEN + 12 && get32(b, o + TCP_HLEN) === 0x0101080a) return o + TCP_HLEN + 4;
  let p = o + TCP_HLEN;
  const end = o + hl;
  while (p < end) {
    const kind = b[p]!;
    if (kind === TCPOPT_EOL) return -1;
    if (kind === TCPOPT_NOP) {
      p++;
      continue;
    }
    if (p + 1 >= end) return -1;
    const size = b[p + 1]!;
    if (size < 2 || p + size > end) return -1;
    if (kind === TCPOPT_TIMESTAMP && size === TCPOLEN_TIMESTAMP) return p + 2;
    p += size;
  }
  return -1;
}

/** Patch TSval/TSecr; returns false when the header has no timestamp option. */
export function tcpSetTimestamps(b: Uint8Array, o: number, tsval: number, tsecr: number): boolean {
  const at = tcpTimestampOffset(b, o);
  if (at < 0) return false;
  patch32(b, o, at - o, tsval >>> 0);
  patch32(b, o, at - o + 4, tsecr >>> 0);
  return true;
}

function patch32(b: Uint8Array, o: number, field: number, v: number): void {
  const old = get32(b, o + field);
  put32(b, o + field, v);
  const check = get16(b, o + TCP_CHECK);
  // An option field may sit at an odd offset (after a lone NOP): its bytes
  // then land in the low/high halves of three checksum words.
  put16(b, o + TCP_CHECK, field & 1 ? csumReplaceSum(check, oddSum32(old), oddSum32(v)) : csumReplace4(check, old, v));
}

function oddSum32(v: number): number {
  return (v >>> 24) + ((v >>> 8) & 0xffff) + ((v & 0xff) << 8);
}

function patch16(b: Uint8Array, o: number, field: number, v: number): void {
  const old = get16(b, o + field);
  put16(b, o + field, v);
  put16(b, o + TCP_CHECK, csumReplace2(get16(b, o + TCP_CHECK), old, v));
}
