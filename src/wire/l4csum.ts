// TCP/UDP checksums over the pseudo-header of the IP header in front of them.
// Only `present` bytes of the segment exist; the rest (the virtual payload) is
// zero-filled by definition (see csum.ts), so it adds nothing to the sum.
import { get16, put16 } from "./bytes.js";
import { csumFold, csumPartial, pseudoSumV4, pseudoSumV6 } from "./csum.js";
import { IPPROTO_TCP, IPPROTO_UDP, IPV4_DADDR, IPV4_PROTOCOL, IPV4_SADDR } from "./ipv4.js";
import { IPV6_DADDR, IPV6_NEXTHDR, IPV6_SADDR } from "./ipv6.js";
import { TCP_CHECK } from "./tcp.js";
import { UDP_CHECK } from "./udp.js";

/** Offset of the checksum field inside an L4 header of protocol `proto`, or -1. */
export function l4CheckField(proto: number): number {
  return proto === IPPROTO_TCP ? TCP_CHECK : proto === IPPROTO_UDP ? UDP_CHECK : -1;
}

/** L4 protocol of the IPv4/IPv6 header at ipOff (no extension headers). */
export function ipL4Proto(b: Uint8Array, ipOff: number): number {
  return b[ipOff]! >> 4 === 4 ? b[ipOff + IPV4_PROTOCOL]! : b[ipOff + IPV6_NEXTHDR]!;
}

/** Unfolded sum of pseudo-header + the `present` segment bytes at l4Off,
 *  for a segment of segLen bytes (header + payload). */
export function l4Sum(b: Uint8Array, ipOff: number, l4Off: number, present: number, segLen: number): number {
  const seg = csumPartial(b, l4Off, present);
  if (b[ipOff]! >> 4 === 4) return pseudoSumV4(b, ipOff + IPV4_SADDR, ipOff + IPV4_DADDR, b[ipOff + IPV4_PROTOCOL]!, segLen) + seg;
  return pseudoSumV6(b, ipOff + IPV6_SADDR, ipOff + IPV6_DADDR, b[ipOff + IPV6_NEXTHDR]!, segLen) + seg;
}

/** Compute and store the TCP/UDP checksum; returns it. */
export function fillL4Checksum(b: Uint8Array, ipOff: number, l4Off: number, present: number, segLen: number): number {
  const at = l4Off + l4CheckField(ipL4Proto(b, ipOff));
  put16(b, at, 0);
  let c = csumFold(l4Sum(b, ipOff, l4Off, present, segLen));
  if (c === 0 && ipL4Proto(b, ipOff) === IPPROTO_UDP) c = 0xffff; // CSUM_MANGLED_0
  put16(b, at, c);
  return c;
}

/** True when the stored checksum verifies (an IPv4 UDP checksum of 0 = none sent). */
export function verifyL4Checksum(b: Uint8Array, ipOff: number, l4Off: number, present: number, segLen: number): boolean {
  const proto = ipL4Proto(b, ipOff);
  if (proto === IPPROTO_UDP && b[ipOff]! >> 4 === 4 && get16(b, l4Off + UDP_CHECK) === 0) return true;
  return csumFold(l4Sum(b, ipOff, l4Off, present, segLen)) === 0;
}
