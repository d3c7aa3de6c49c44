// Time a frame occupies the wire. skb->len counts from the Ethernet header to
// the end of the payload; on the wire a frame is padded to the 60-byte minimum
// and gains FCS (4), preamble + SFD (8) and the inter-frame gap (12).
export const ETH_ZLEN = 60;
export const ETH_WIRE_OVERHEAD = 4 + 8 + 12;

export function wireBytes(skbLen: number): number {
  return (skbLen < ETH_ZLEN ? ETH_ZLEN : skbLen) + ETH_WIRE_OVERHEAD;
}

/** Serialization delay in ns of a frame of skbLen bytes at rateBps bit/s. */
export function serializationNs(skbLen: number, rateBps: number): number {
  return (wireBytes(skbLen) * 8 * 1e9) / rateBps;
}
