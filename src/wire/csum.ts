// Internet checksum (RFC 1071) and its incremental update (RFC 1624), with the
// TCP/UDP pseudo-header sums for IPv4 (RFC 793/768) and IPv6 (RFC 8200 8.1).
//
// Payload rule. skbsim payloads are virtual: an skb carries real header bytes
// and a payload *length*. For checksum purposes the payload is ZERO-FILLED.
// Zero words add nothing to a ones-complement sum, so a TCP/UDP checksum is
//   fold(pseudo-header(len = L4 header + payload) + sum(L4 header bytes))
// which is exactly the checksum of the real segment whose payload is zeros.
// pcap files hold only the headers (caplen < len), so tshark cannot verify L4
// checksums there; the IPv4 header checksum covers header bytes only and
// always verifies. (PcapWriter's zeroFillPayload option writes the zeros so
// tshark can check L4 checksums too.)
//
// Sums are plain numbers: 16-bit words summed in an f64 stay exact far beyond
// any 64 KiB packet; csumFold reduces to 16 bits.

/** Ones-complement partial sum of bytes[off .. off+len) as big-endian 16-bit
 *  words (an odd tail byte is padded with zero), added to `sum`. Unfolded, like
 *  lib/checksum.c: csum_partial. Chain only even-length pieces except the last. */
export function csumPartial(bytes: Uint8Array, off: number, len: number, sum = 0): number {
  const end = off + len - 1;
  let i = off;
  for (; i < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i === end) sum += bytes[i]! << 8;
  return sum;
}

/** Fold a partial sum to 16 bits and complement it: the value that goes on the
 *  wire (include/asm-generic/checksum.h: csum_fold). */
export function csumFold(sum: number): number {
  sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** RFC 1071 checksum of bytes[off .. off+len). A region whose checksum field is
 *  correct sums to 0 (the verification rule of ip_fast_csum). */
export function internetChecksum(bytes: Uint8Array, off: number, len: number): number {
  return csumFold(csumPartial(bytes, off, len));
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word changing from
 *  `from` to `to` (include/net/checksum.h: csum_replace2). */
export function csumReplace2(check: number, from: number, to: number): number {
  return csumFold((~check & 0xffff) + (~from & 0xffff) + (to & 0xffff));
}

/** As csumReplace2 for a 32-bit field (csum_replace4). */
export function csumReplace4(check: number, from: number, to: number): number {
  return csumFold(
    (~check & 0xffff) + (~(from >>> 16) & 0xffff) + (~from & 0xffff) + ((to >>> 16) & 0xffff) + (to & 0xffff),
  );
}

/** RFC 1624 for any change: `fromSum` and `toSum` are the partial sums the
 *  changed bytes contributed before and after (include/net/checksum.h: csum_replace_by_diff). */
export function csumReplaceSum(check: number, fromSum: number, toSum: number): number {
  // ~fold(from) is csumFold(from): the complement of the old contribution.
  return csumFold((~check & 0xffff) + csumFold(fromSum) + toSum);
}

/** IPv4 pseudo-header sum: src, dst (4 bytes each, at srcOff/dstOff), zero,
 *  protocol, L4 length (include/asm-generic/checksum.h: csum_tcpudp_nofold). */
export function pseudoSumV4(bytes: Uint8Array, srcOff: number, dstOff: number, proto: number, l4Len: number): number {
  return csumPartial(bytes, srcOff, 4, csumPartial(bytes, dstOff, 4, proto + (l4Len & 0xffff)));
}

/** IPv6 pseudo-header sum: src, dst (16 bytes each), 32-bit upper-layer
 *  length, three zero bytes, next header (net/ipv6/ip6_checksum.c: csum_ipv6_magic). */
export function pseudoSumV6(bytes: Uint8Array, srcOff: number, dstOff: number, nextHeader: number, l4Len: number): number {
  return csumPartial(
    bytes,
    srcOff,
    16,
    csumPartial(bytes, dstOff, 16, nextHeader + Math.floor(l4Len / 0x10000) + (l4Len & 0xffff)),
  );
}
