// WireError: the only error a wire parser throws. Every read is bounds-checked
// first, so malformed or truncated bytes surface as a typed code naming the
// layer and the byte offset, never as a RangeError from a typed array.

export type WireErrorCode =
  | "TRUNCATED"
  | "BAD_VERSION"
  | "BAD_IHL"
  | "BAD_LENGTH"
  | "BAD_CHECKSUM"
  | "BAD_DATA_OFFSET"
  | "BAD_OPTION"
  | "BAD_MAGIC"
  | "BAD_ARGUMENT"
  | "UNSUPPORTED";

export type WireLayer = "addr" | "eth" | "ipv4" | "ipv6" | "tcp" | "udp" | "packet" | "pcap";

export class WireError extends Error {
  override name = "WireError";
  constructor(
    readonly code: WireErrorCode,
    readonly layer: WireLayer,
    /** Byte offset (in the buffer handed to the parser) where the problem is. */
    readonly offset: number,
    message: string,
  ) {
    super(`${layer}: ${message} (${code} at byte ${offset})`);
  }
}

/** Throw TRUNCATED unless bytes[off .. off+need) exists. */
export function need(bytes: Uint8Array, off: number, n: number, layer: WireLayer, what: string): void {
  if (!Number.isInteger(off) || off < 0 || off + n > bytes.length) {
    throw new WireError(
      "TRUNCATED",
      layer,
      off,
      `${what} needs ${n} bytes at offset ${off}, buffer has ${Math.max(0, bytes.length - Math.max(0, off))}`,
    );
  }
}

/** Check an integer argument against [min, max]; BAD_ARGUMENT names the field. */
export function checkField(layer: WireLayer, field: string, v: number, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new WireError("BAD_ARGUMENT", layer, 0, `${field} = ${String(v)} is outside the integer range ${min}..${max}`);
  }
  return v;
}

/** Bytes actually readable from o: min(claimed, buffer remainder); o must be a
 *  non-negative integer. */
export function present(b: Uint8Array, o: number, avail: number, layer: WireLayer): number {
  if (!Number.isInteger(o) || o < 0) throw new WireError("BAD_ARGUMENT", layer, 0, `offset ${o} must be a non-negative integer`);
  const n = Math.min(Number.isFinite(avail) ? Math.floor(avail) : 0, b.length - o);
  return n < 0 ? 0 : n;
}
