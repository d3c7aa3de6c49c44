// Node file output for PcapWriter: synchronous appends to an fd, so a crash
// mid-run leaves every flushed record on disk.
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { WireError } from "./errors.js";
import { PCAP_GLOBAL_HLEN, PCAP_RECORD_HLEN, PcapWriter, pcapRecordHeader, readPcapHeader, type PcapFileHeader, type PcapRecord, type PcapWriterOptions } from "./pcap.js";

export class PcapFileWriter extends PcapWriter {
  private readonly file: { fd: number };

  constructor(readonly path: string, opts: Omit<PcapWriterOptions, "sink"> = {}) {
    const file = { fd: openSync(path, "w") };
    super({
      ...opts,
      sink: (chunk) => {
        if (file.fd < 0) throw new WireError("BAD_ARGUMENT", "pcap", 0, `${path} is closed`);
        let off = 0;
        while (off < chunk.length) off += writeSync(file.fd, chunk, off, chunk.length - off);
      },
    });
    this.file = file;
  }

  /** Flush and close the file; a later flush throws. */
  close(): void {
    if (this.file.fd < 0) return;
    this.flush();
    closeSync(this.file.fd);
    this.file.fd = -1;
  }
}

/** A pcap file read in chunks (as libpcap reads with fread): memory is one chunk plus one record's kept
 *  bytes (at most the link type's maximum, pcapMaxSnaplen), whatever the file's size; each record's data
 *  is its own copy. Works on pipes and devices too (no stat, no seek). */
export class PcapFileReader {
  readonly header: PcapFileHeader;
  private fd: number;
  private buf: Uint8Array;
  /** Valid bytes in buf, the read position in it, and the file offset of buf[0]. */
  private end = 0;
  private pos = 0;
  private base = 0;
  private eof = false;

  constructor(
    readonly path: string,
    chunkBytes = 1 << 16,
  ) {
    if (!Number.isInteger(chunkBytes) || chunkBytes < PCAP_GLOBAL_HLEN) throw new WireError("BAD_ARGUMENT", "pcap", 0, `chunkBytes = ${chunkBytes} is below ${PCAP_GLOBAL_HLEN}`);
    this.buf = new Uint8Array(chunkBytes);
    this.fd = openSync(path, "r");
    try {
      const n = this.fill(PCAP_GLOBAL_HLEN);
      this.header = readPcapHeader(this.buf.subarray(0, n));
      this.pos = PCAP_GLOBAL_HLEN;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** The records in file order; throws WireError (with the record's file offset) at the first truncated or
   *  refused one. */
  *records(): Generator<PcapRecord> {
    const hdr = this.header;
    const unit = hdr.nanos ? 1 : 1000;
    for (;;) {
      const offset = this.base + this.pos;
      const h = this.fill(PCAP_RECORD_HLEN);
      if (h === 0) return;
      if (h < PCAP_RECORD_HLEN) throw new WireError("TRUNCATED", "pcap", offset, `record header needs ${PCAP_RECORD_HLEN} bytes, ${h} left`);
      const r = pcapRecordHeader(new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength), this.pos, hdr, offset);
      this.pos += PCAP_RECORD_HLEN;
      const got = this.fill(r.keep);
      if (got < r.keep) throw new WireError("TRUNCATED", "pcap", offset, `record data needs ${r.caplen} bytes, ${got} left`);
      const data = this.buf.slice(this.pos, this.pos + r.keep);
      this.pos += r.keep;
      // libpcap reads and discards a record's bytes beyond the snapshot
      let skip = r.caplen - r.keep;
      while (skip > 0) {
        const k = this.fill(Math.min(skip, this.buf.length));
        if (k === 0) throw new WireError("TRUNCATED", "pcap", offset, `record data needs ${r.caplen} bytes, ${r.caplen - skip} left`);
        const step = Math.min(k, skip);
        this.pos += step;
        skip -= step;
      }
      yield { tsNs: r.tsSec * 1e9 + r.tsFrac * unit, tsSec: r.tsSec, tsFrac: r.tsFrac, caplen: r.keep, len: r.len, offset, data };
    }
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  /** At least n bytes from pos in buf (growing it for a big record), fewer only at the end of the file:
   *  how many there are. */
  private fill(n: number): number {
    if (this.end - this.pos >= n || this.eof) return Math.min(n, this.end - this.pos);
    if (this.fd < 0) throw new WireError("BAD_ARGUMENT", "pcap", this.base + this.pos, `${this.path} is closed`);
    const left = this.end - this.pos;
    if (n > this.buf.length) {
      const b = new Uint8Array(n);
      b.set(this.buf.subarray(this.pos, this.end));
      this.buf = b;
    } else this.buf.copyWithin(0, this.pos, this.end);
    this.base += this.pos;
    this.pos = 0;
    this.end = left;
    while (this.end < n) {
      const k = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      if (k === 0) {
        this.eof = true;
        break;
      }
      this.end += k;
    }
    return Math.min(n, this.end);
  }
}

/** Read a whole file: header and all records (read in chunks: PcapFileReader). */
export function readPcapFile(path: string): { header: PcapFileHeader; records: PcapRecord[] } {
  const r = new PcapFileReader(path);
  try {
    return { header: r.header, records: Array.from(r.records()) };
  } finally {
    r.close();
  }
}
