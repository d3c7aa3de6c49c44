// Per-flow TCP report: flows[] (goodput, retransmits, cwnd, srtt, buffer
// maxima) and the `ss -ti`-like view of each connection at the end of the run.
import type { World } from "../sim/world.js";
import type { TcpConn } from "../tcp/conn.js";
import type { FlowRecord } from "../tcp/flows.js";

export interface FlowReport {
  kind: string;
  from: string;
  /** "host:port" of the receiving end. */
  to: string;
  /** The sender's local (ephemeral) port. */
  port: number;
  /** Bytes the receiver ACKed (sender's snd_una). */
  bytes: number;
  goodputBps: number;
  retransmits: number;
  cwnd: number;
  cwndMax: number;
  ssthresh: number | null;
  srttUs: number;
  rttvarUs: number;
  rtoMs: number;
  sndbuf: number;
  sndbufMax: number;
  rcvbuf: number;
  rcvbufMax: number;
  pacingRateBps: number;
  deliveryRateBps: number;
  rcvSpace: number;
  /** rr only: completed transactions and mean latency. */
  transactions?: number;
  meanLatencyUs?: number;
  /** `ss -ti` style line. */
  ss: string;
}

const gbps = (bytesPerSec: number): string => {
  const b = bytesPerSec * 8;
  return b >= 1e9 ? `${(b / 1e9).toFixed(1)}Gbps` : b >= 1e6 ? `${(b / 1e6).toFixed(1)}Mbps` : `${(b / 1e3).toFixed(1)}Kbps`;
};

function ssLine(f: FlowRecord, s: TcpConn, r: TcpConn | null): string {
  const srtt = s.rtt.srttUs / 8 / 1000;
  const rttvar = s.rtt.rttvarUs / 4 / 1000;
  const parts = [
    `ESTAB ${f.from}:${f.sport} -> ${f.to}`,
    s.cc.name,
    `rto:${s.rtt.rtoUs / 1000}`,
    `rtt:${srtt.toFixed(3)}/${rttvar.toFixed(3)}`,
    `mss:${s.mss}`,
    `cwnd:${s.cwnd}`,
    ...(s.ssthresh < 0x7fffffff ? [`ssthresh:${s.ssthresh}`] : []),
    `bytes_acked:${s.sndUna}`,
    `send ${gbps(srtt > 0 ? (s.cwnd * s.mss) / (srtt / 1000) : 0)}`,
    `pacing_rate ${gbps(s.pacingRate)}`,
    `delivery_rate ${gbps(s.deliveryRateBps)}`,
    `retrans:${s.retransOut}/${s.retransTotal}`,
    // iproute2 ss (tcp_show_info) prints these only when set: tcpi_dsack_dups, tcpi_reordering (not the default
    // 3), tcpi_reord_seen (net/ipv4/tcp.c: tcp_get_info)
    ...(s.dsackDups > 0 ? [`dsack_dups:${s.dsackDups}`] : []),
    ...(s.reordering !== 3 ? [`reordering:${s.reordering}`] : []),
    ...(s.reordSeen > 0 ? [`reord_seen:${s.reordSeen}`] : []),
    `skmem:(t${s.wmemQueued(0)},tb${s.sndbuf})`,
  ];
  if (r !== null) parts.push(`| peer rcv_space:${r.rcvq.space} rcv_ssthresh:${r.rcvSsthresh} skmem:(r${r.rmemAlloc},rb${r.rcvbuf})`);
  return parts.join(" ");
}

export function flowReports(world: World): FlowReport[] {
  const out: FlowReport[] = [];
  const now = world.loop.now;
  for (const g of world.tcpFlows) g.refreshStats();
  for (const f of world.flows.values()) {
    const s = f.sender;
    if (s === null) continue;
    const r = f.receiver;
    const span = (s.closeWhenDone || s.toWrite > 0 || s.writeSeq > s.sndUna ? now : s.lastAckAt) - s.startedAt;
    const rep: FlowReport = {
      kind: f.kind,
      from: f.from,
      to: f.to,
      port: f.sport,
      bytes: s.sndUna,
      goodputBps: span > 0 ? Math.round((s.sndUna * 8 * 1e9) / span) : 0,
      retransmits: s.retransTotal,
      cwnd: s.cwnd,
      cwndMax: s.cwndMax,
      ssthresh: s.ssthresh < 0x7fffffff ? s.ssthresh : null,
      srttUs: Math.round(s.rtt.srttUs / 8),
      rttvarUs: Math.round(s.rtt.rttvarUs / 4),
      rtoMs: s.rtt.rtoUs / 1000,
      sndbuf: s.sndbuf,
      sndbufMax: s.sndbufMax,
      rcvbuf: r?.rcvbuf ?? 0,
      rcvbufMax: r?.rcvbufMax ?? 0,
      pacingRateBps: s.pacingRate * 8,
      deliveryRateBps: Math.round(s.deliveryRateBps * 8),
      rcvSpace: r?.rcvq.space ?? 0,
      ss: ssLine(f, s, r),
    };
    if (f.rr !== undefined) {
      rep.transactions = f.rr.transactions;
      rep.meanLatencyUs = f.rr.transactions > 0 ? Math.round(f.rr.latencySum / f.rr.transactions / 10) / 100 : 0;
    }
    out.push(rep);
  }
  return out;
}

/** Text block: one `ss -ti`-like line per flow plus a goodput table row. */
export function renderFlows(flows: readonly FlowReport[]): string[] {
  if (flows.length === 0) return [];
  const out = ["", "== TCP flows (ss -ti)"];
  for (const f of flows) {
    out.push(f.ss);
    const rr = f.transactions !== undefined ? `  transactions ${f.transactions} mean latency ${f.meanLatencyUs}us` : "";
    out.push(`  goodput ${(f.goodputBps / 1e9).toFixed(3)} Gbit/s  retransmits ${f.retransmits}  cwnd max ${f.cwndMax}  sndbuf max ${f.sndbufMax}  rcvbuf max ${f.rcvbufMax}${rr}`);
  }
  return out;
}
