// How many skbs a world's UDP receive queues and IPv4 reassembly queues can
// hold at once, for the core's memory plan: a socket admits datagrams while
// sk_rmem_alloc ≤ sk_rcvbuf (one more after that), each at least the
// smallest truesize; reassembly stops taking fragments above
// ipfrag_high_thresh.
import type { WorldSpec } from "../sim/world-spec.js";
import { rxTruesize, udpRcvbuf } from "./udp-sock.js";

// a fragment coalesced into a reassembled head is charged its truesize less struct sk_buff
const MIN_TRUESIZE = rxTruesize(0) - 256;

export function udpHeldBound(spec: WorldSpec): number {
  let n = 0;
  for (const h of spec.hosts) {
    const num = (name: string, dflt: number): number => {
      const v = h.sysctl[name];
      return typeof v === "number" ? v : dflt;
    };
    const ports = new Set(h.udpPorts);
    for (const u of h.udpSockets ?? []) {
      ports.delete(u.port);
      if (u.readRate === true || u.readRate === undefined) continue;
      const rcvbuf = udpRcvbuf(u.rcvbuf, num("net.core.rmem_default", 212992), num("net.core.rmem_max", 212992));
      n += Math.floor(rcvbuf / MIN_TRUESIZE) + 1;
    }
    const fragSenders = spec.traffic.some((t) => t.kind === "udp" && t.to === h.name && t.size + 28 > nicMtuOf(spec, t.from));
    if (fragSenders) n += Math.floor(num("net.ipv4.ipfrag_high_thresh", 4 * 1024 * 1024) / MIN_TRUESIZE) + 1;
  }
  return n;
}

function nicMtuOf(spec: WorldSpec, host: string): number {
  return spec.hosts.find((h) => h.name === host)?.nic.mtu ?? 1500;
}
