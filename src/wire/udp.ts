// UDP header (RFC 768; include/uapi/linux/udp.h). A computed checksum of 0 is
// sent as 0xffff (net/ipv4/udp.c: udp4_hwcsum / CSUM_MANGLED_0); a received 0
// over IPv4 means "no checksum".
import { get16, put16 } from "./bytes.js";
import { checkField, need, present, WireError } from "./errors.js";

export const UDP_HLEN = 8;
export const UDP_LEN = 4;
export const UDP_CHECK = 6;

export interface UdpHeader {
  sport: number;
  dport: number;
  /** Header + payload, from the header. */
  length: number;
  check: number;
  headerLen: 8;
}

/** Write the header (check = 0; fill it with l4csum.ts) at b[o]; returns 8. */
export function writeUdpHeader(b: Uint8Array, o: number, sport: number, dport: number, length: number): number {
  need(b, o, UDP_HLEN, "udp", "UDP header");
  put16(b, o, checkField("udp", "sport", sport, 0, 0xffff));
  put16(b, o + 2, checkField("udp", "dport", dport, 0, 0xffff));
  put16(b, o + UDP_LEN, checkField("udp", "length", length, UDP_HLEN, 0xffff));
  put16(b, o + UDP_CHECK, 0);
  return UDP_HLEN;
}

/** Parse the header at b[o]; `dgramLen` = bytes the IP layer says follow
 *  (net/ipv4/udp.c: __udp4_lib_rcv refuses ulen > skb->len and ulen < 8). */
export function parseUdpHeader(b: Uint8Array, o: number, avail = b.length - o, dgramLen = Infinity): UdpHeader {
  avail = present(b, o, avail, "udp");
  if (avail < UDP_HLEN || dgramLen < UDP_HLEN) {
    throw new WireError("TRUNCATED", "udp", o, `UDP header needs ${UDP_HLEN} bytes, ${Math.min(avail, dgramLen)} present`);
  }
  const length = get16(b, o + UDP_LEN);
  if (length < UDP_HLEN) throw new WireError("BAD_LENGTH", "udp", o + UDP_LEN, `length ${length} is below the 8-byte header`);
  if (length > dgramLen) throw new WireError("BAD_LENGTH", "udp", o + UDP_LEN, `length ${length} exceeds the ${dgramLen} bytes the IP layer carries`);
  return { sport: get16(b, o), dport: get16(b, o + 2), length, check: get16(b, o + UDP_CHECK), headerLen: UDP_HLEN };
}
