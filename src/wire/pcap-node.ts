// Node file output for PcapWriter: synchronous appends to an fd, so a crash
// mid-run leaves every flushed record on disk.
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { WireError } from "./errors.js";
import { PcapWriter, readPcap, type PcapFileHeader, type PcapRecord, type PcapWriterOptions } from "./pcap.js";

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

export function readPcapFile(path: string): { header: PcapFileHeader; records: PcapRecord[] } {
  const b = readFileSync(path);
  return readPcap(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}
