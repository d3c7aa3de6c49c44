// Text view of a report, in the shapes Linux users already read: an nstat
// block per host, `ss -lnt` lines, per-queue and per-CPU (softnet_stat)
// tables, then the packet ledger.
import type { Report } from "./build.js";
import { renderFlows } from "./flows.js";

function table(rows: (string | number)[][], header: string[]): string {
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join("  ")).join("\n");
}

/**
 * ss's layout (misc/ss.c): State, Recv-Q and Send-Q left-aligned; an
 * address:port column with the address right-aligned and the port left of
 * it, so the colons line up ("   0.0.0.0:7000", "10.0.0.2:80"). `addrCols`
 * are the indexes of the address:port columns; the rest after them (the
 * model's extras) are right-aligned.
 */
function ssTable(rows: string[][], header: string[], addrCols: readonly number[]): string {
  const all = [header, ...rows];
  const split = (c: string): [string, string] => {
    const i = c.lastIndexOf(":");
    return [c.slice(0, i), c.slice(i)];
  };
  const cell = (r: string[], i: number, w: number, head: boolean): string => {
    const c = r[i]!;
    if (i < 3) return c.padEnd(w);
    if (!addrCols.includes(i)) return c.padStart(w);
    if (head) return c.padStart(w);
    const [a, p] = split(c);
    const wa = Math.max(...rows.map((x) => split(x[i]!)[0].length));
    const wp = Math.max(...rows.map((x) => split(x[i]!)[1].length));
    return (a.padStart(wa) + p.padEnd(wp)).padStart(w);
  };
  const widths = header.map((_, i) => {
    if (!addrCols.includes(i)) return Math.max(...all.map((r) => r[i]!.length));
    const wa = Math.max(...rows.map((x) => split(x[i]!)[0].length));
    const wp = Math.max(...rows.map((x) => split(x[i]!)[1].length));
    return Math.max(header[i]!.length, wa + wp);
  });
  return all.map((r, ri) => r.map((_, i) => cell(r, i, widths[i]!, ri === 0)).join("  ").trimEnd()).join("\n");
}

export function formatNs(ns: number): string {
  if (ns >= 1e9) return `${+(ns / 1e9).toFixed(3)}s`;
  if (ns >= 1e6) return `${+(ns / 1e6).toFixed(3)}ms`;
  if (ns >= 1e3) return `${+(ns / 1e3).toFixed(3)}us`;
  return `${+ns.toFixed(1)}ns`;
}

export function renderText(r: Report): string {
  const out: string[] = [];
  out.push(`scenario ${r.scenario}  seed ${r.seed}  duration ${formatNs(r.durationNs)}  simulated ${formatNs(r.simTimeNs)} (${r.stoppedBy})  events ${r.events}`);
  if (r.description) out.push(r.description);
  for (const [name, h] of Object.entries(r.hosts)) {
    out.push("", `== host ${name} (${h.addr}, ${h.cpus} CPU${h.cpus > 1 ? "s" : ""})`);
    const nstat = Object.entries(h.nstat);
    out.push("#nstat");
    if (nstat.length === 0) out.push("(all counters zero)");
    for (const [k, v] of nstat) out.push(`${k.padEnd(32)}${String(v).padStart(12)}`);
    if (h.listeners.length > 0) {
      // a listener bound to the wildcard address of the host's family: ss -lnt shows 0.0.0.0:PORT and
      // peer 0.0.0.0:* (an IPv6-only socket [::]:PORT and [::]:*; `*` is a dual-stack one's), as 6.18's
      const any = h.addr.includes(":") ? "[::]" : "0.0.0.0";
      out.push("", "$ ss -lnt");
      out.push(
        ssTable(
          h.listeners.map((l) => ["LISTEN", String(l.acceptQueue), String(l.backlog), `${any}:${l.port}`, `${any}:*`]),
          ["State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port"],
          [3, 4],
        ),
      );
    }
    if (h.udpSockets.length > 0) {
      const any = h.addr.includes(":") ? "[::]" : "0.0.0.0";
      out.push("", "$ ss -uamn");
      out.push(
        ssTable(
          h.udpSockets.map((u) => ["UNCONN", String(u.rmemAlloc), "0", `${any}:${u.port}`, `${any}:*`, `skmem:(r${u.rmemAlloc},rb${u.rcvbuf},d${u.drops})`, String(u.queued), String(u.reads)]),
          ["State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "skmem", "queued", "read"],
          [3, 4],
        ),
      );
    }
    if (h.ipfrag.queues > 0) out.push("", `IP reassembly: ${h.ipfrag.queues} incomplete datagrams, ${h.ipfrag.fragments} fragments, ${h.ipfrag.mem} bytes (frag_mem_limit)`);
    const states = Object.entries(h.tcpStates);
    if (states.length > 0) out.push("", `TCP sockets by state: ${states.map(([k, v]) => `${k} ${v}`).join(", ")}`);
    const ss = h.sockstat;
    if (ss !== undefined && (ss.alloc > 0 || ss.mem > 0)) out.push("/proc/net/sockstat", `TCP: inuse ${ss.inuse} orphan ${ss.orphan} tw ${ss.tw} alloc ${ss.alloc} mem ${ss.mem}`);
    out.push("", "RX queues (ethtool -S)");
    // the napi watchdog column only where gro_flush_timeout re-polled
    const watchdog = h.rxQueues.some((q) => q.napiWatchdog > 0);
    out.push(
      table(
        h.rxQueues.map((q) => [`${q.dev} rx-${q.queue}`, q.packets, q.bytes, q.drops, `cpu${q.irqCpu}`, q.irqs, ...(watchdog ? [q.napiWatchdog] : [])]),
        ["queue", "packets", "bytes", "rx_missed", "irq", "irqs", ...(watchdog ? ["napi timer"] : [])],
      ),
    );
    for (const [dev, d] of Object.entries(h.netdev ?? {})) {
      if (d.rx_dropped > 0 || d.arfs_installed > 0) out.push(`${dev}: rx_dropped ${d.rx_dropped}${d.arfs_installed > 0 ? `  aRFS filters ${d.arfs_filters} (installed ${d.arfs_installed}, expired ${d.arfs_expired})` : ""}`);
    }
    if (h.gro !== undefined && h.gro.packetsIn > 0) {
      const ratio = h.gro.packetsOut > 0 ? (h.gro.packetsIn / h.gro.packetsOut).toFixed(2) : "-";
      const off = Object.entries(h.gro.devices ?? {}).filter(([, d]) => !d.enabled).map(([dev]) => dev);
      out.push(`GRO: ${h.gro.packetsIn} packets in, ${h.gro.packetsOut} out (${ratio} per skb up the stack)${off.length > 0 ? `; gro off on ${off.join(", ")}` : ""}`);
    }
    out.push("", "TX queues and qdisc");
    out.push(
      table(
        h.txQueues.map((q) => [`${q.dev} tx-${q.queue}`, q.packets, q.bytes, q.stops ?? 0, q.wakes ?? 0, q.bql?.limit ?? "-", q.bql?.inflight ?? "-"]),
        ["queue", "packets", "bytes", "stops", "wakes", "bql limit", "inflight"],
      ),
    );
    const lat = h.txQueues.filter((q) => q.latency !== undefined && q.latency.packets > 0);
    if (lat.length > 0) {
      out.push("", "TX queueing delay per frame (qdisc enqueue -> wire: qdisc + driver ring)");
      const row = (name: string, l: (typeof lat)[number]["latency"]) => [name, l.packets, formatNs(l.meanNs), formatNs(l.p50Ns), formatNs(l.p90Ns), formatNs(l.p99Ns), formatNs(l.maxNs)];
      const rows = lat.flatMap((q) => [row(`${q.dev} tx-${q.queue}`, q.latency), ...(q.ringLatency !== undefined ? [row("  of it in the ring", q.ringLatency)] : [])]);
      out.push(table(rows, ["queue", "frames", "mean", "p50", "p90", "p99", "max"]));
      for (const q of lat) out.push(`  ${q.dev} tx-${q.queue} log2 buckets: ${q.latency.buckets.map((b) => `[${formatNs(b.fromNs)},${formatNs(b.toNs)}) ${b.count}`).join("  ")}`);
    }
    for (const [dev, qd] of Object.entries(h.qdisc)) {
      out.push(`qdisc ${qd.kind} dev ${dev} limit ${qd.limit}p: Sent ${qd.bytes} bytes ${qd.packets} pkt (dropped ${qd.drops}, overlimits ${qd.overlimits ?? 0} requeues ${qd.requeues ?? 0}) backlog ${qd.backlog}b ${qd.qlen ?? 0}p`);
      const fq = qd.fq as Record<string, number> | undefined;
      if (fq !== undefined) out.push(`  ${fq.flows} flows (${fq.inactive_flows} inactive, ${fq.throttled_flows} throttled), ${fq.gc_flows} gc, ${fq.throttled} throttled, ${fq.flows_plimit} flows_plimit, ${fq.horizon_drops} horizon drops`);
    }
    for (const [dev, o] of Object.entries(h.txOffload ?? {})) {
      if (o.tsoSkbs + o.gsoSkbs === 0) continue;
      out.push(o.tso ? `TSO ${dev}: ${o.tsoSkbs} GSO skbs split by the NIC into ${o.tsoSegments} frames` : `GSO ${dev} (tso off): ${o.gsoSkbs} skbs segmented in software into ${o.gsoSegments}`);
    }
    if (h.cpu !== undefined) {
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      out.push("", "CPU time (mpstat: %irq %soft %usr %idle; ksoftirqd is part of %soft)");
      out.push(table(h.cpu.map((c) => [`cpu${c.cpu}`, pct(c.irq), pct(c.softirq), pct(c.ksoftirqd), pct(c.app), pct(c.idle)]), ["cpu", "%irq", "%soft", "ksoftirqd", "%usr", "%idle"]));
    }
    out.push("", "/proc/net/softnet_stat");
    out.push(
      table(
        h.softnet.map((s) => [`cpu${s.cpu}`, s.processed, s.dropped, s.time_squeeze, s.col4, s.col5, s.col6, s.col7, s.col8, s.col9, s.received_rps, s.flow_limit_count, s.backlog_len, s.index, s.input_qlen, s.process_qlen]),
        ["cpu", "processed", "dropped", "time_squeeze", "4", "5", "6", "7", "8", "9", "received_rps", "flow_limit_count", "backlog_len", "index", "input_qlen", "process_qlen"],
      ),
    );
  }
  out.push("", "== links (wire packets per direction)");
  out.push(table(r.links.map((l) => [`${l.a} -> ${l.b}`, l.packets, l.bytes]), ["direction", "packets", "bytes"]));
  if (r.traffic.length > 0) {
    out.push("", "== traffic");
    out.push(table(r.traffic.map((t) => [t.kind, `${t.from} -> ${t.to}`, t.packets, t.bytes, t.allocFailures]), ["kind", "path", "packets", "bytes", "alloc failures"]));
  }
  if (r.connects.length > 0) {
    out.push("", "== connect() clients");
    const us = (v: number | null) => (v === null ? "-" : `${v}us`);
    out.push(
      table(
        r.connects.map((c) => [`${c.from} -> ${c.to}`, c.attempted, c.connected, c.failed, c.pending, us(c.p50Us), us(c.p90Us), us(c.p99Us)]),
        ["clients", "attempted", "connected", "failed", "pending", "p50", "p90", "p99"],
      ),
    );
  }
  out.push(...renderFlows(r.flows ?? []));
  if (r.warnings.length > 0) {
    out.push("", "== kernel log (dmesg)");
    for (const w of r.warnings) out.push(w);
  }
  const l = r.ledger;
  out.push("", "== packet ledger");
  out.push(`created     ${l.created}`);
  out.push(`delivered   ${l.delivered}`);
  const drops = Object.entries(l.dropped);
  out.push(`dropped     ${drops.reduce((s, [, v]) => s + v, 0)}`);
  for (const [reason, n] of drops) out.push(`  ${reason.padEnd(20)}${n}`);
  out.push(`in flight   ${l.inFlight}`);
  out.push(`unaccounted ${l.unaccounted}${l.unaccounted === 0 ? "" : "  <-- BUG: packets lost track of"}`);
  if (!r.pool.balanced) out.push(`skb pool: ${r.pool.live} live but ${r.pool.inFlight ?? l.inFlight} skbs in flight  <-- BUG`);
  return out.join("\n") + "\n";
}
