// Martian sources: addresses IP drops as a packet's source before any
// protocol sees it. A spoofed flood draws its sources from all 2^32 (hping3
// --rand-source: four random bytes), so about 1 in 15 SYNs dies here.

/**
 * net/ipv4/route.c: ip_route_input_slow — the source checks that come before
 * the route lookup, in its order, for a frame that came in on a non-loopback
 * device with route_localnet 0 (the model has no lo): the drop reason, or
 * null. 6.12 drops them all NOT_SPECIFIED (ip_rcv_finish_core's drop_error
 * with -EINVAL); the names are those of 6.13+, where ip_route_input_slow
 * returns its reason, as measured on 6.18.44 (perf, skb:kfree_skb). No MIB
 * counter (only /proc/net/stat/rt_cache's in_martian_src); IpInReceives was
 * counted before. `saddr` is the u32 in host order.
 */
export function martianSource4(saddr: number): string | null {
  const top = saddr >>> 24;
  // ipv4_is_multicast (224/4), ipv4_is_lbcast (255.255.255.255 only: the rest of 240/4 is unicast)
  if ((top & 0xf0) === 0xe0 || saddr >>> 0 === 0xffffffff) return "IP_INVALID_SOURCE";
  // ipv4_is_zeronet: 0.0.0.0 only since 5.3 (0.x.y.z with x.y.z != 0 is a unicast source).
  // (With saddr 0 a limited-broadcast destination goes to brd_input first: the model sends none.)
  if (saddr === 0) return "IP_INVALID_SOURCE";
  // ipv4_is_loopback without IN_DEV_NET_ROUTE_LOCALNET
  if (top === 127) return "IP_LOCALNET";
  return null;
}

/**
 * net/ipv4/fib_frontend.c: fib_validate_source -> __fib_validate_source — after
 * the route lookup found the destination local: a source that is one of this
 * host's own addresses (inet_lookup_ifaddr_rcu; accept_local 0, no custom
 * local routes) is a martian too (6.18.44: IP_LOCAL_SOURCE).
 */
export const LOCAL_SOURCE_DROP = "IP_LOCAL_SOURCE";

/**
 * net/ipv6/ip6_input.c: ip6_rcv_core — a source that is multicast (RFC 4291
 * 2.7) or the loopback address on a non-loopback device: Ip6InHdrErrors, drop
 * reason IP_INHDR. `b[o..o+16)` is the source address.
 */
export function badSource6(b: Uint8Array, o: number): boolean {
  if (b[o] === 0xff) return true; // ipv6_addr_is_multicast
  // ipv6_addr_loopback: ::1
  for (let i = 0; i < 15; i++) if (b[o + i] !== 0) return false;
  return b[o + 15] === 1;
}
