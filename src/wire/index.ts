// src/wire: packet headers (Ethernet, IPv4, IPv6, TCP, UDP), checksums and
// pcap. Browser-safe; Node file output is in pcap-node.ts.
export { WireError, type WireErrorCode, type WireLayer } from "./errors.js";
export * from "./addr.js";
export * from "./csum.js";
export * from "./eth.js";
export * from "./ipv4.js";
export * from "./ipv6.js";
export * from "./tcp.js";
export * from "./udp.js";
export * from "./l4csum.js";
export * from "./skb-headers.js";
export * from "./pcap.js";
