// Classic libpcap files (https://www.tcpdump.org/manpages/pcap-savefile.5.html,
// draft-ietf-opsawg-pcap). The writer emits nanosecond files (magic
// 0xa1b23c4d, since sim time is ns), version 2.4, LINKTYPE_ETHERNET, little
// endian, snaplen 262144 (libpcap's MAXIMUM_SNAPLEN) by default. skbsim stores
// only header bytes, so a record has caplen = header bytes < len = skb->len;
// readers show the payload as "not captured". The writer is browser-safe: it
// produces Uint8Array chunks for a sink (see pcap-node.ts for files).
import type { Core } from "../core/core.js";
import { SKB_HEADROOM } from "../core/skb-fields.js";
import { WireError } from "./errors.js";

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAPNG_MAGIC = 0x0a0d0d0a;
export const PCAP_GLOBAL_HLEN = 24;
export const PCAP_RECORD_HLEN = 16;
export const LINKTYPE_ETHERNET = 1;
/** libpcap's MAXIMUM_SNAPLEN. */
export const PCAP_MAX_SNAPLEN = 262144;

export interface PcapWriterOptions {
  /** Nanosecond timestamps (default true); false writes microseconds. */
  nanos?: boolean;
  snaplen?: number;
  linktype?: number;
  /** Receives each finished chunk (an owned copy). Without one, chunks are
   *  kept and returned by take() / toBytes(). */
  sink?: (chunk: Uint8Array) => void;
  /** Buffer size before a chunk is handed over (default 64 KiB). */
  chunkBytes?: number;
  /** Seconds added to every timestamp (sim time 0 = this Unix time). */
  epochSec?: number;
  /** Append the virtual payload as zeros (caplen = min(len, snaplen)) so
   *  tools can verify L4 checksums; default false (headers only). */
  zeroFillPayload?: boolean;
}

export class PcapWriter {
  readonly nanos: boolean;
  readonly snaplen: number;
  readonly linktype: number;
  readonly zeroFillPayload: boolean;
  private readonly sink: ((chunk: Uint8Array) => void) | undefined;
  private readonly epochSec: number;
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private kept: Uint8Array[] = [];
  private count = 0;

  constructor(opts: PcapWriterOptions = {}) {
    this.nanos = opts.nanos ?? true;
    this.snaplen = intOpt("snaplen", opts.snaplen ?? PCAP_MAX_SNAPLEN, 1, 0x7fffffff);
    this.linktype = intOpt("linktype", opts.linktype ?? LINKTYPE_ETHERNET, 0, 0xffff);
    this.epochSec = intOpt("epochSec", opts.epochSec ?? 0, 0, 0xffffffff);
    this.zeroFillPayload = opts.zeroFillPayload ?? false;
    this.sink = opts.sink;
    const size = intOpt("chunkBytes", opts.chunkBytes ?? 65536, 64, 1 << 30);
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
    const v = this.view;
    v.setUint32(0, this.nanos ? PCAP_MAGIC_NS : PCAP_MAGIC_US, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setInt32(8, 0, true); // thiszone
    v.setUint32(12, 0, true); // sigfigs
    v.setUint32(16, this.snaplen, true);
    v.setUint32(20, this.linktype, true);
    this.pos = PCAP_GLOBAL_HLEN;
  }

  /** Records written so far. */
  get records(): number {
    return this.count;
  }

  /** Append one record: data[off .. off+dataLen) captured out of origLen bytes
   *  at time tsNs (f64 ns). Stored bytes = min(dataLen, snaplen), plus zero
   *  fill up to min(origLen, snaplen) when zeroFillPayload is set. */
  writeRecord(tsNs: number, data: Uint8Array, off: number, dataLen: number, origLen: number): void {
    if (!(tsNs >= 0) || !Number.isFinite(tsNs)) throw new WireError("BAD_ARGUMENT", "pcap", 0, `timestamp ${tsNs} ns must be finite and >= 0`);
    if (!Number.isInteger(off) || !Number.isInteger(dataLen) || off < 0 || dataLen < 0 || off + dataLen > data.length) {
      throw new WireError("BAD_ARGUMENT", "pcap", off, `data range ${off}+${dataLen} is outside the ${data.length}-byte buffer`);
    }
    if (!Number.isInteger(origLen) || origLen < dataLen || origLen > 0xffffffff) {
      throw new WireError("BAD_ARGUMENT", "pcap", 0, `origLen = ${origLen} must be an integer in ${dataLen}..4294967295`);
    }
    const stored = Math.min(dataLen, this.snaplen);
    const caplen = this.zeroFillPayload ? Math.min(origLen, this.snaplen) : stored;
    let sec = Math.floor(tsNs / 1e9);
    let rem = tsNs - sec * 1e9; // the division may round across a second boundary
    if (rem < 0) {
      sec -= 1;
      rem += 1e9;
    } else if (rem >= 1e9) {
      sec += 1;
      rem -= 1e9;
    }
    const frac = this.nanos ? Math.min(Math.floor(rem), 999999999) : Math.min(Math.floor(rem / 1000), 999999);
    if (sec + this.epochSec > 0xffffffff) throw new WireError("BAD_ARGUMENT", "pcap", 0, `timestamp ${tsNs} ns overflows 32-bit seconds`);
    this.reserve(PCAP_RECORD_HLEN + caplen);
    const v = this.view;
    const p = this.pos;
    v.setUint32(p, sec + this.epochSec, true);
    v.setUint32(p + 4, frac, true);
    v.setUint32(p + 8, caplen, true);
    v.setUint32(p + 12, origLen, true);
    this.buf.set(data.subarray(off, off + stored), p + PCAP_RECORD_HLEN);
    if (caplen > stored) this.buf.fill(0, p + PCAP_RECORD_HLEN + stored, p + PCAP_RECORD_HLEN + caplen);
    this.pos = p + PCAP_RECORD_HLEN + caplen;
    this.count++;
  }

  /** Append skb h: its header bytes, len = skb->len, time = tstamp (or `tsNs`). */
  writeSkb(core: Core, h: number, tsNs = core.skbTime.tstamp[h]!): void {
    if (!Number.isInteger(h) || h < 0 || h >= core.skb.len.length) {
      throw new WireError("BAD_ARGUMENT", "pcap", 0, `skb handle ${h} is outside 0..${core.skb.len.length - 1}`);
    }
    const hdr = Math.min(core.skb.hdrLen[h]!, SKB_HEADROOM);
    this.writeRecord(tsNs, core.headers, h * SKB_HEADROOM, hdr, Math.max(core.skb.len[h]!, hdr));
  }

  /** Hand the buffered bytes to the sink (or keep them) now. */
  flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.slice(0, this.pos);
    this.pos = 0;
    if (this.sink) this.sink(chunk);
    else this.kept.push(chunk);
  }

  /** Without a sink: flush and return (and forget) the chunks so far. */
  take(): Uint8Array[] {
    this.flush();
    const k = this.kept;
    this.kept = [];
    return k;
  }

  /** Without a sink: everything not yet taken, as one buffer. */
  toBytes(): Uint8Array {
    const parts = this.take();
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    n = 0;
    for (const p of parts) {
      out.set(p, n);
      n += p.length;
    }
    return out;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.view = new DataView(this.buf.buffer);
    }
  }
}

function intOpt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new WireError("BAD_ARGUMENT", "pcap", 0, `${name} = ${v} is outside ${min}..${max}`);
  return v;
}

export interface PcapFileHeader {
  nanos: boolean;
  bigEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  /** As the file says (0 in some writers' files). */
  snaplen: number;
  /** libpcap's p->snapshot (pcap_adjust_snapshot): snaplen, or the link type's maximum (pcapMaxSnaplen)
   *  when snaplen is 0 or above INT_MAX. A record's captured bytes beyond it are skipped. */
  snapshot: number;
  linktype: number;
  /** caplen and len in the pre-2.3 order (pcap_check_header: versions 2.0-2.2 and DG/UX 543.0 "yes";
   *  2.3 "maybe": swapped back where caplen > len). */
  lengthsSwapped: "no" | "maybe" | "yes";
}

export interface PcapRecord {
  /** sec * 1e9 + frac (f64; exact while below 2^53 ns, about 104 days). */
  tsNs: number;
  tsSec: number;
  /** Nanoseconds or microseconds, per the file's magic. */
  tsFrac: number;
  /** Bytes in data: the record's captured length, cut to the header's snapshot as libpcap does. */
  caplen: number;
  len: number;
  /** Byte offset of the record header in the file. */
  offset: number;
  /** The captured bytes (a view into the file buffer, or a copy when read from a file in chunks). */
  data: Uint8Array;
}

/** libpcap's max_snaplen_for_dlt (pcap-common.c): the largest record it takes, per link type
 *  (DLT_DBUS 231: 128 MiB, DLT_USBPCAP 249: 1 MiB, DLT_EBHSCR 279: 8 MiB, else MAXIMUM_SNAPLEN 262144). */
export function pcapMaxSnaplen(linktype: number): number {
  if (linktype === 231) return 128 * 1024 * 1024;
  if (linktype === 279) return 8 * 1024 * 1024;
  if (linktype === 249) return 1024 * 1024;
  return PCAP_MAX_SNAPLEN;
}

/** Parse the 24-byte global header, as libpcap's pcap_check_header (sf-pcap.c) takes it. */
export function readPcapHeader(bytes: Uint8Array): PcapFileHeader {
  if (bytes.length < PCAP_GLOBAL_HLEN) {
    throw new WireError("TRUNCATED", "pcap", 0, `file has ${bytes.length} bytes, the global header needs ${PCAP_GLOBAL_HLEN}`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = v.getUint32(0, true);
  const be = v.getUint32(0, false);
  let nanos: boolean;
  let bigEndian: boolean;
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
    bigEndian = false;
    nanos = le === PCAP_MAGIC_NS;
  } else if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
    bigEndian = true;
    nanos = be === PCAP_MAGIC_NS;
  } else if (le === PCAPNG_MAGIC) {
    throw new WireError("UNSUPPORTED", "pcap", 0, "pcapng files are not supported; convert with `editcap -F pcap`");
  } else {
    throw new WireError("BAD_MAGIC", "pcap", 0, `magic 0x${be.toString(16).padStart(8, "0")} is not a pcap magic (a1b2c3d4 or a1b23c4d, either byte order)`);
  }
  const lit = !bigEndian;
  const versionMajor = v.getUint16(4, lit);
  const versionMinor = v.getUint16(6, lit);
  // "archaic pcap savefile format" below 2; then only 2.0-2.4, and DG/UX tcpdump's 543.0
  if (versionMajor < 2) throw new WireError("BAD_VERSION", "pcap", 4, `version ${versionMajor}.${versionMinor}: an archaic pcap format (libpcap reads 2.0-2.4 and 543.0)`);
  if (!((versionMajor === 2 && versionMinor <= 4) || (versionMajor === 543 && versionMinor === 0))) {
    throw new WireError("BAD_VERSION", "pcap", 4, `version ${versionMajor}.${versionMinor} is not supported (libpcap reads 2.0-2.4 and 543.0)`);
  }
  const snaplen = v.getUint32(16, lit);
  // The upper 16 bits may carry FCS info (pcap-savefile(5)); the link type is the low 16.
  const linktype = v.getUint32(20, lit) & 0xffff;
  return {
    nanos,
    bigEndian,
    versionMajor,
    versionMinor,
    thiszone: v.getInt32(8, lit),
    sigfigs: v.getUint32(12, lit),
    snaplen,
    // pcap_adjust_snapshot: a bogus snaplen (0, or above INT_MAX) becomes the link type's maximum
    snapshot: snaplen === 0 || snaplen > 0x7fffffff ? pcapMaxSnaplen(linktype) : snaplen,
    linktype,
    lengthsSwapped: versionMajor === 543 || versionMinor < 3 ? "yes" : versionMinor === 3 ? "maybe" : "no",
  };
}

/** A record header as libpcap's pcap_next_packet (sf-pcap.c) takes it, at byte p of v (the file's offset
 *  `offset`): the lengths unswapped, caplen above the link type's maximum refused; `keep` = the bytes the
 *  record delivers (at most the header's snapshot; libpcap reads and discards the rest). It takes caplen
 *  above len and any timestamp fraction, as libpcap does. */
export function pcapRecordHeader(v: DataView, p: number, hdr: PcapFileHeader, offset: number): { tsSec: number; tsFrac: number; caplen: number; len: number; keep: number } {
  const lit = !hdr.bigEndian;
  const tsSec = v.getUint32(p, lit);
  const tsFrac = v.getUint32(p + 4, lit);
  let caplen = v.getUint32(p + 8, lit);
  let len = v.getUint32(p + 12, lit);
  if (hdr.lengthsSwapped === "yes" || (hdr.lengthsSwapped === "maybe" && caplen > len)) [caplen, len] = [len, caplen];
  const max = pcapMaxSnaplen(hdr.linktype);
  if (caplen > max) {
    const why = caplen > hdr.snapshot ? `the snaplen of ${hdr.snapshot}` : `the maximum of ${max} for link type ${hdr.linktype}`;
    throw new WireError("BAD_LENGTH", "pcap", offset + 8, `caplen ${caplen} is bigger than ${why}`);
  }
  return { tsSec, tsFrac, caplen, len, keep: Math.min(caplen, hdr.snapshot) };
}

/** Iterate over the records; throws WireError (with the record's offset) at
 *  the first truncated or inconsistent one. */
export function* pcapRecords(bytes: Uint8Array, hdr: PcapFileHeader = readPcapHeader(bytes)): Generator<PcapRecord> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const unit = hdr.nanos ? 1 : 1000;
  let p = PCAP_GLOBAL_HLEN;
  while (p < bytes.length) {
    if (p + PCAP_RECORD_HLEN > bytes.length) {
      throw new WireError("TRUNCATED", "pcap", p, `record header needs ${PCAP_RECORD_HLEN} bytes, ${bytes.length - p} left`);
    }
    const r = pcapRecordHeader(v, p, hdr, p);
    const d = p + PCAP_RECORD_HLEN;
    if (d + r.caplen > bytes.length) {
      throw new WireError("TRUNCATED", "pcap", p, `record data needs ${r.caplen} bytes, ${bytes.length - d} left`);
    }
    yield { tsNs: r.tsSec * 1e9 + r.tsFrac * unit, tsSec: r.tsSec, tsFrac: r.tsFrac, caplen: r.keep, len: r.len, offset: p, data: bytes.subarray(d, d + r.keep) };
    p = d + r.caplen;
  }
}

/** Read a whole file: header and all records. */
export function readPcap(bytes: Uint8Array): { header: PcapFileHeader; records: PcapRecord[] } {
  if (!(bytes instanceof Uint8Array)) throw new WireError("BAD_ARGUMENT", "pcap", 0, "bytes must be a Uint8Array");
  const header = readPcapHeader(bytes);
  return { header, records: Array.from(pcapRecords(bytes, header)) };
}
