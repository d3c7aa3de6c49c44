// Node-only: read a file (or a device, FIFO, /dev/stdin) without trusting its
// size: at most `max` bytes are kept, and reading stops after max + 1, so
// `/dev/zero` or an endless pipe ends with `tooLarge` instead of filling memory.
import { open } from "node:fs/promises";

export interface BoundedRead {
  /** The bytes read, at most max. */
  bytes: Buffer;
  /** More than max bytes were there (the rest was not read). */
  tooLarge: boolean;
}

/** Throws the fs error (ENOENT, EISDIR, EACCES, …) as fs.readFile would. */
export async function readFileBounded(path: string, max: number): Promise<BoundedRead> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(Math.min(max + 1, 1 << 16));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, max + 1 - total), null);
      if (bytesRead === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
      total += bytesRead;
      if (total > max) return { bytes: Buffer.concat(chunks).subarray(0, max), tooLarge: true };
    }
    return { bytes: Buffer.concat(chunks, total), tooLarge: false };
  } finally {
    await fh.close();
  }
}

/** Standard input (or any stream) with the same bound. */
export async function readStreamBounded(stream: AsyncIterable<Buffer | string>, max: number): Promise<BoundedRead> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of stream) {
    const b = typeof c === "string" ? Buffer.from(c) : c;
    chunks.push(b);
    total += b.length;
    if (total > max) return { bytes: Buffer.concat(chunks).subarray(0, max), tooLarge: true };
  }
  return { bytes: Buffer.concat(chunks, total), tooLarge: false };
}
