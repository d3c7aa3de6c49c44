// Reads the RSS configuration out of what `ethtool -x DEV` prints, so the
// model can answer for a real NIC. The text comes from ethtool's
// print_indir_table / print_rss_hkey (common.c) and netlink/rss.c:
//
//   RX flow hash indirection table for eth0 with 4 RX ring(s):
//       0:      0     1     2     3     0     1     2     3      ("%5u: " then " %5u" x8)
//   RSS hash key:
//   6d:5a:56:…:01:fa                                            (or "Operation not supported")
//   RSS hash function:
//       toeplitz: on                                            (one line per ETH_SS_RSS_HASH_FUNCS name)
//   RSS input transformation:                                   (ethtool >= 6.9)
//       symmetric-xor: off
//
// `ethtool --json -x DEV` output is read too. Anything the model cannot
// reproduce (a hash other than Toeplitz, symmetric input transformation,
// a table elided with "...", a non-power-of-two table) is a UsageError that
// names file:line, never a silent approximation.
import { UsageError } from "./errors.js";
import { parseHexKey } from "./hex.js";

export interface EthtoolRss {
  device: string | null;
  /** "with N RX ring(s)"; null when not printed (JSON output). */
  rings: number | null;
  /** The indirection table; null when the device has none ("Operation not supported"). */
  reta: number[] | null;
  /** The hash key; null when the device does not report one. */
  key: Uint8Array | null;
  /** Things the caller may want to tell the user (assumptions made). */
  notes: string[];
}

/** Largest table the model's RSS context holds (core.retaMax ceiling). */
export const ETHTOOL_RETA_MAX = 65536;

const WANT = "the output of `ethtool -x DEV`";
const HEADER = /^RX flow hash indirection table for (\S+) with (\d+) RX ring\(s\)(?:, context (\d+))?:\s*$/;
const ROW = /^\s*(\d+):((?:\s+\d+)+)\s*$/;
const FUNC = /^\s+([A-Za-z0-9_-]+): (on|off)\s*$/;
const PROMPT = /^.*[$#]\s*(?:sudo\s+)?ethtool\s/;

type Section = "start" | "table" | "key" | "hfunc" | "xfrm";

export function parseEthtoolX(text: string, source: string): EthtoolRss {
  const t = text.replace(/^\uFEFF/, "");
  const first = t.trimStart()[0];
  if (first === "[" || first === "{") return parseJson(t, source);

  const out: EthtoolRss = { device: null, rings: null, reta: null, key: null, notes: [] };
  const lines = t.split(/\r?\n/);
  let section: Section = "start";
  let table: number[] = [];
  let headerLine = 0;
  let keySeen = false;
  let funcs: { name: string; on: boolean; line: number }[] | null = null;
  let funcsUnsupported = false;

  for (let i = 0; i < lines.length; i++) {
    const ln = i + 1;
    const line = lines[i]!;
    const at = `${source}:${ln}`;
    const fail: (problem: string, allowed?: string) => never = (problem, allowed = WANT) => {
      throw new UsageError(at, problem, allowed);
    };
    if (line.trim() === "") continue;
    if (/^\s*(\.\.\.|…)\s*$/.test(line)) fail("the output is elided with \"...\"", "the complete output of `ethtool -x DEV`, every table row");
    if (/^Cannot /.test(line)) {
      // ethtool's ioctl path prints these and falls back to an older request.
      out.notes.push(`${at}: ethtool said "${line.trim()}"`);
      continue;
    }
    const h = HEADER.exec(line);
    if (h) {
      if (headerLine) fail(`a second indirection table (the first is at line ${headerLine})`, "the output for one device and one RSS context");
      headerLine = ln;
      out.device = h[1]!;
      out.rings = Number(h[2]);
      if (h[3] !== undefined && h[3] !== "0") out.notes.push(`${at}: using RSS context ${h[3]} of ${h[1]}`);
      section = "table";
      continue;
    }
    if (section === "start") {
      if (PROMPT.test(line)) continue;
      fail(`unexpected line "${line.trim()}" before the "RX flow hash indirection table for …" line`);
    }
    if (/^RSS hash key:\s*$/.test(line)) {
      section = "key";
      continue;
    }
    if (/^RSS hash function:\s*$/.test(line)) {
      section = "hfunc";
      funcs = [];
      continue;
    }
    if (/^RSS input transformation:\s*$/.test(line)) {
      section = "xfrm";
      continue;
    }
    const unsupported = /^\s*Operation not supported\s*$/.test(line);
    switch (section) {
      case "table": {
        if (unsupported) {
          if (table.length) fail("\"Operation not supported\" after table rows");
          out.notes.push(`${at}: ${out.device} reports no indirection table; using the default fill over its ${out.rings} ring(s)`);
          continue;
        }
        const r = ROW.exec(line);
        if (!r) fail(`unexpected line "${line.trim()}" in the indirection table`, "rows as ethtool prints them: \"    8:      0     1 …\"");
        if (Number(r[1]) !== table.length) fail(`row starts at index ${r[1]} but ${table.length} entries came before it`, "the complete table, rows in order");
        for (const e of r[2]!.trim().split(/\s+/)) {
          const v = Number(e);
          if (out.rings !== null && v >= out.rings) fail(`table entry ${v} is not a ring of ${out.device} (it has ${out.rings})`, `entries 0..${out.rings - 1}`);
          table.push(v);
        }
        continue;
      }
      case "key": {
        if (keySeen) fail(`unexpected line "${line.trim()}" after the hash key`);
        keySeen = true;
        if (unsupported) {
          out.notes.push(`${at}: ${out.device} does not report its RSS key; using the key from --key or the default`);
          continue;
        }
        out.key = parseHexKey(line, `${at}: RSS hash key`);
        continue;
      }
      case "hfunc": {
        if (unsupported) {
          funcsUnsupported = true;
          continue;
        }
        if (/^\s+Unknown hash function/.test(line)) fail(`the device uses a hash function ethtool does not know ("${line.trim()}")`, "only toeplitz is modelled");
        const f = FUNC.exec(line);
        if (!f) fail(`unexpected line "${line.trim()}" in the hash function list`, "lines such as \"    toeplitz: on\"");
        funcs!.push({ name: f[1]!, on: f[2] === "on", line: ln });
        continue;
      }
      case "xfrm": {
        const f = FUNC.exec(line);
        if (!f) fail(`unexpected line "${line.trim()}" in the input transformation list`, "lines such as \"    symmetric-xor: off\"");
        if (f[2] === "on") fail(`input transformation ${f[1]} is on`, "only plain Toeplitz over the unmodified tuple is modelled; ethtool -X DEV xfrm none");
        continue;
      }
    }
  }

  if (!headerLine) {
    throw new UsageError(source, "has no \"RX flow hash indirection table for …\" line", WANT);
  }
  if (table.length) {
    const n = table.length;
    if (n > ETHTOOL_RETA_MAX || (n & (n - 1)) !== 0) {
      throw new UsageError(`${source}:${headerLine}`, `the indirection table has ${n} entries`, `a power of two up to ${ETHTOOL_RETA_MAX}: the model indexes it with hash & (size - 1)`);
    }
    out.reta = table;
  }
  if (funcs) {
    const on = funcs.filter((f) => f.on);
    if (on.length > 1) throw new UsageError(`${source}:${on[1]!.line}`, `several hash functions are on (${on.map((f) => f.name).join(", ")})`, "one function, toeplitz");
    if (on.length === 1 && on[0]!.name !== "toeplitz") {
      throw new UsageError(`${source}:${on[0]!.line}`, `the hash function is ${on[0]!.name}`, "only toeplitz is modelled");
    }
    if (on.length === 0 || funcsUnsupported) out.notes.push(`${source}: ${out.device} does not report an active hash function; assuming toeplitz`);
  }
  return out;
}

/** `ethtool --json -x DEV` (netlink/rss.c dump_json_rss_info). */
function parseJson(text: string, source: string): EthtoolRss {
  const fail: (problem: string, allowed?: string) => never = (problem, allowed = "the output of `ethtool --json -x DEV`") => {
    throw new UsageError(source, problem, allowed);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`is not valid JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(doc) ? doc : [doc];
  if (list.length !== 1) fail(`holds ${list.length} objects`, "the output for one device and one RSS context");
  const o = list[0] as Record<string, unknown>;
  if (typeof o !== "object" || o === null) return fail("does not hold an object");
  const out: EthtoolRss = { device: typeof o["ifname"] === "string" ? o["ifname"] : null, rings: null, reta: null, key: null, notes: [] };
  const reta = o["rss-indirection-table"];
  if (reta !== undefined) {
    if (!Array.isArray(reta) || !reta.every((v) => Number.isInteger(v) && v >= 0 && v < 65536)) fail("rss-indirection-table is not a list of ring numbers");
    const n = (reta as number[]).length;
    if (n === 0 || n > ETHTOOL_RETA_MAX || (n & (n - 1)) !== 0) {
      fail(`the indirection table has ${n} entries`, `a power of two up to ${ETHTOOL_RETA_MAX}: the model indexes it with hash & (size - 1)`);
    }
    out.reta = reta as number[];
  }
  const key = o["rss-hash-key"];
  if (key !== undefined) {
    if (!Array.isArray(key) || !key.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) fail("rss-hash-key is not a list of bytes");
    out.key = parseHexKey((key as number[]).map((b) => b.toString(16).padStart(2, "0")).join(":"), `${source}: rss-hash-key`);
  }
  const fn = o["rss-hash-function"];
  if (fn === undefined) out.notes.push(`${source}: no rss-hash-function; assuming toeplitz`);
  else if (fn !== "toeplitz") fail(`the hash function is ${String(fn)}`, "only toeplitz is modelled");
  if (o["rss-hash-function-raw"] !== undefined) fail("the device uses a hash function ethtool does not know", "only toeplitz is modelled");
  const x = o["rss-input-transformation"];
  if (x && typeof x === "object") {
    for (const [k, v] of Object.entries(x)) {
      if (v === true || (k === "raw" && v !== 0)) fail(`input transformation ${k} is on`, "only plain Toeplitz over the unmodified tuple is modelled; ethtool -X DEV xfrm none");
    }
  }
  if (!out.reta && !out.key) fail("has neither rss-indirection-table nor rss-hash-key");
  return out;
}
