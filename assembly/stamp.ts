// TCP handshake headers stamped from templates (the IPv4 path of
// src/tcp/stamp.ts TcpStamp.write, its plain-TS reference): a SYN flood
// writes a SYN and a SYN-ACK per SYN, so one call copies the template's
// Ethernet + IPv4 + TCP bytes into the skb and writes what differs per
// segment (addresses, ports, seq, ack, window, TSval/TSecr, both checksums)
// and the skb's header columns.
//
//   +--------------------------------+ tpl
//   | STAMP_SLOTS x 128 B            | slot s: the template's header bytes,
//   |                                | per-segment fields zero (TS writes them)
//   +--------------------------------+ info
//   | STAMP_SLOTS x 8 u32            | hdrLen, th (TCP header offset), tsAt
//   |                                | (TSval offset, 0 = no timestamps), ipBase,
//   |                                | tcpBase (sums of the constant 16-bit
//   |                                | words), 3 spare
//   +--------------------------------+
//
// Slots are handed out by TS (src/core/stamp.ts), one per template; a
// template that finds none left stays in TS.
import { reserve, zero } from "./layout";
import { SKB_HEADROOM, SKB_HDR_LEN, SKB_LEN, SKB_MAC, SKB_NETWORK, SKB_PROTOCOL, SKB_TRANSPORT, skb_hdr, skb_set } from "./skb";

export const STAMP_SLOTS: u32 = 64;
const INFO_U32: u32 = 8;
const ETH_HLEN: u32 = 14;

let tpl: usize = 0;
let info: usize = 0;

export function stamp_plan(): void {
  tpl = reserve(<usize>STAMP_SLOTS * SKB_HEADROOM);
  info = reserve(<usize>STAMP_SLOTS * INFO_U32 * 4);
}

export function stamp_init(): void {
  zero(tpl, <usize>STAMP_SLOTS * SKB_HEADROOM);
  zero(info, <usize>STAMP_SLOTS * INFO_U32 * 4);
}

export function stamp_tpl_ptr(): usize {
  return tpl;
}

export function stamp_info_ptr(): usize {
  return info;
}

export function stamp_slots(): u32 {
  return STAMP_SLOTS;
}

/** Ones-complement fold and complement of a sum below 2^31 (csum_fold). */
@inline function fold(sum: u32): u32 {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

@inline function words(v: u32): u32 {
  return (v >> 16) + (v & 0xffff);
}

@inline function put16(p: usize, v: u32): void {
  store<u16>(p, <u16>(((v >> 8) & 0xff) | ((v & 0xff) << 8)));
}

/** Stamp an IPv4 segment from template `slot` into skb h. Addresses and
 *  words are host-order u32 (saddr 10.0.0.1 = 0x0a000001); ports = sport <<
 *  16 | dport. */
export function stamp_tcp4(slot: u32, h: u32, saddr: u32, daddr: u32, ports: u32, seq: u32, ack: u32, win: u32, tsval: u32, tsecr: u32): void {
  const inf = info + (<usize>slot * INFO_U32 << 2);
  const n = load<u32>(inf);
  const thOff = load<u32>(inf, 4);
  const tsAt = load<u32>(inf, 8);
  const base = skb_hdr(h);
  memory.copy(base, tpl + <usize>slot * SKB_HEADROOM, n);
  const ip = base + ETH_HLEN;
  store<u32>(ip + 12, bswap<u32>(saddr));
  store<u32>(ip + 16, bswap<u32>(daddr));
  const addrs = words(saddr) + words(daddr);
  put16(ip + 10, fold(load<u32>(inf, 12) + addrs));
  const th = base + thOff;
  store<u32>(th, bswap<u32>(ports));
  store<u32>(th + 4, bswap<u32>(seq));
  store<u32>(th + 8, bswap<u32>(ack));
  win &= 0xffff;
  put16(th + 14, win);
  let sum = load<u32>(inf, 16) + addrs + words(ports) + words(seq) + words(ack) + win;
  if (tsAt != 0) {
    const p = base + tsAt;
    store<u32>(p, bswap<u32>(tsval));
    store<u32>(p + 4, bswap<u32>(tsecr));
    sum += words(tsval) + words(tsecr);
  }
  put16(th + 16, fold(sum));
  skb_set(SKB_LEN, h, n);
  skb_set(SKB_HDR_LEN, h, n);
  skb_set(SKB_MAC, h, 0);
  skb_set(SKB_NETWORK, h, ETH_HLEN);
  skb_set(SKB_TRANSPORT, h, thOff);
  skb_set(SKB_PROTOCOL, h, 0x0800);
}
