// Ethernet II header (14 bytes: dst, src, ethertype; include/uapi/linux/if_ether.h).
// 802.1Q/802.1ad VLAN tags are not modelled: a tagged frame parses as
// UNSUPPORTED, and writers never emit one. No FCS, no minimum-frame padding:
// lengths are skb->len as the stack sees it.
import { formatMac } from "./addr.js";
import { need, present, WireError } from "./errors.js";

export const ETH_ALEN = 6;
export const ETH_HLEN = 14;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;
export const ETH_P_IPV6 = 0x86dd;

export interface EthHeader {
  dst: string;
  src: string;
  ethertype: number;
}

/** Write dst (6 bytes), src (6 bytes) and ethertype at b[o..o+14). */
export function writeEthHeader(b: Uint8Array, o: number, dst: Uint8Array, src: Uint8Array, ethertype: number): void {
  need(b, o, ETH_HLEN, "eth", "Ethernet header");
  b.set(dst.subarray(0, ETH_ALEN), o);
  b.set(src.subarray(0, ETH_ALEN), o + ETH_ALEN);
  b[o + 12] = ethertype >>> 8;
  b[o + 13] = ethertype & 0xff;
}

/** Ethertype of the frame at b[o] (caller has checked the length). */
export function ethType(b: Uint8Array, o: number): number {
  return (b[o + 12]! << 8) | b[o + 13]!;
}

/** Parse the 14-byte header at b[o]; `avail` = bytes present from o. */
export function parseEthHeader(b: Uint8Array, o: number, avail = b.length - o): EthHeader {
  avail = present(b, o, avail, "eth");
  if (avail < ETH_HLEN) throw new WireError("TRUNCATED", "eth", o, `Ethernet header needs ${ETH_HLEN} bytes, ${avail} present`);
  const ethertype = ethType(b, o);
  if (ethertype === ETH_P_8021Q || ethertype === ETH_P_8021AD) {
    throw new WireError("UNSUPPORTED", "eth", o + 12, `VLAN-tagged frames (ethertype 0x${ethertype.toString(16)}) are not modelled`);
  }
  return { dst: formatMac(b, o), src: formatMac(b, o + ETH_ALEN), ethertype };
}
