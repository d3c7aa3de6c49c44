// FLOW text: "SRC:SPORT-DST:DPORT", IPv6 in brackets as in URLs
// ("[fe80::1]:80-[fe80::2]:443"). Without ports ("SRC-DST") a flow names
// only its addresses, which is all an L3 (2-tuple) RSS hash reads. Parsing is
// strict: every deviation is a UsageError naming the flow and the part.
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from "../wire/addr.js";
import { UsageError } from "./errors.js";

export interface Flow {
  readonly version: 4 | 6;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  /** null when the flow text names no ports. */
  readonly sport: number | null;
  readonly dport: number | null;
  /** Canonical text (RFC 5952 IPv6, no leading zeros). */
  readonly text: string;
}

export const FLOW_FORMS = "SRC:SPORT-DST:DPORT, IPv6 as [ADDR]:PORT, ports 0..65535";

interface Endpoint {
  addr: string;
  bracketed: boolean;
  port: string | null;
  end: number;
}

/** Parse one FLOW; `where` ("flows.txt:3") prefixes the error's argument. */
export function parseFlow(text: string, where?: string): Flow {
  const arg = where ? `${where}: flow "${text}"` : `flow "${text}"`;
  const fail: (problem: string, allowed?: string) => never = (problem, allowed = FLOW_FORMS) => {
    throw new UsageError(arg, problem, allowed);
  };
  if (text.length === 0) fail("is empty");
  if (/\s/.test(text)) fail("contains white space");

  const src = readEndpoint(text, 0, "source", fail);
  if (src.end >= text.length) fail("has no '-' between source and destination");
  const dst = readEndpoint(text, src.end + 1, "destination", fail);
  if (dst.end < text.length) fail(`has text after the destination: "${text.slice(dst.end)}"`);

  const s = address(src, "source", fail);
  const d = address(dst, "destination", fail);
  if (s.version !== d.version) {
    fail(`mixes IPv${s.version} source and IPv${d.version} destination`, "both ends IPv4 or both IPv6");
  }
  if ((src.port === null) !== (dst.port === null)) {
    fail(`gives a port for the ${src.port === null ? "destination" : "source"} only`, "ports on both ends, or on neither (L3 flow)");
  }
  const sport = src.port === null ? null : port(src.port, "source", fail);
  const dport = dst.port === null ? null : port(dst.port, "destination", fail);
  const flow = { version: s.version, src: s.bytes, dst: d.bytes, sport, dport };
  return { ...flow, text: formatFlow(flow) };
}

export function formatFlow(f: Omit<Flow, "text">): string {
  const a = (b: Uint8Array): string => (f.version === 4 ? formatIPv4(b) : `[${formatIPv6(b)}]`);
  if (f.sport === null || f.dport === null) return `${a(f.src)}-${a(f.dst)}`;
  return `${a(f.src)}:${f.sport}-${a(f.dst)}:${f.dport}`;
}

function readEndpoint(s: string, i: number, which: string, fail: (p: string, a?: string) => never): Endpoint {
  if (s[i] === "[") {
    const close = s.indexOf("]", i);
    if (close < 0) fail(`${which} has '[' without ']'`);
    const addr = s.slice(i + 1, close);
    let k = close + 1;
    if (k < s.length && s[k] !== ":" && s[k] !== "-") fail(`${which} has "${s[k]}" after ']'`);
    let port: string | null = null;
    if (s[k] === ":") {
      const stop = nextDash(s, k + 1);
      port = s.slice(k + 1, stop);
      k = stop;
    }
    return { addr, bracketed: true, port, end: k };
  }
  const stop = nextDash(s, i);
  const tok = s.slice(i, stop);
  if (/[[\]]/.test(tok)) fail(`${which} "${tok}" has a stray bracket`);
  const colons = tok.split(":").length - 1;
  if (colons > 1) fail(`${which} "${tok}" looks like an unbracketed IPv6 address`, "IPv6 as [ADDR]:PORT, e.g. [fe80::1]:80-[fe80::2]:443");
  if (colons === 1) {
    const c = tok.indexOf(":");
    return { addr: tok.slice(0, c), bracketed: false, port: tok.slice(c + 1), end: stop };
  }
  return { addr: tok, bracketed: false, port: null, end: stop };
}

function nextDash(s: string, from: number): number {
  const d = s.indexOf("-", from);
  return d < 0 ? s.length : d;
}

function address(e: Endpoint, which: string, fail: (p: string, a?: string) => never): { version: 4 | 6; bytes: Uint8Array } {
  if (e.addr.length === 0) fail(`${which} address is empty`);
  if (e.bracketed) {
    const v6 = parseIPv6(e.addr);
    if (v6) return { version: 6, bytes: v6 };
    if (parseIPv4(e.addr)) fail(`${which} [${e.addr}] is IPv4 in brackets`, "brackets only around IPv6 addresses");
    return fail(`${which} address "${e.addr}" is not an IPv6 address`, "RFC 4291 text such as fe80::1, no zone or prefix");
  }
  const v4 = parseIPv4(e.addr);
  if (v4) return { version: 4, bytes: v4 };
  return fail(`${which} address "${e.addr}" is not an IPv4 address`, "dotted quad a.b.c.d, each 0..255 without leading zeros");
}

function port(text: string, which: string, fail: (p: string, a?: string) => never): number {
  if (text.length === 0) fail(`${which} port is empty`, "ports 0..65535");
  if (!/^[0-9]+$/.test(text)) fail(`${which} port "${text}" is not a decimal number`, "ports 0..65535");
  const v = Number(text);
  if (text.length > 5 || v > 65535) fail(`${which} port ${text} is out of range`, "ports 0..65535");
  return v;
}
