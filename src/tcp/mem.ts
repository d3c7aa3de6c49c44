// TCP's global memory accounting (net.ipv4.tcp_mem) as 6.12 does it: each
// socket pre-charges whole pages into sk_forward_alloc (__sk_mem_schedule),
// the pages go to the per-CPU reserve first and reach tcp_memory_allocated
// (what tcp_mem is compared with, and what /proc/net/sockstat shows as `mem`)
// only in steps of net.core.mem_pcpu_rsv pages (sk_memory_allocated_add/sub).
// Above tcp_mem[1] TCP is under memory pressure until usage falls to
// tcp_mem[0]; above tcp_mem[2] allocations fail (receive: PROTO_MEM drops).
//
// Which CPU (sk_memory_allocated_add/sub use this_cpu's reserve): a charge
// made while tcp_v4_rcv runs in the RX softirq lands on that softirq's CPU;
// the application's calls (sendmsg, recvmsg, release_sock's backlog) on the
// CPU its thread runs on (TcpHost.memCpuOf).
import type { TcpHost } from "./tcp-host.js";
import type { TcpConn } from "./conn.js";
import { SOCK_MIN_SNDBUF, TCP_SKB_OVERHEAD } from "./buffers.js";

/** PAGE_SIZE on x86-64. */
export const PAGE_SIZE = 4096;
/** include/net/proto_memory.h: SK_MEMORY_PCPU_RESERVE — 1 MB per CPU, in pages. */
export const SK_MEMORY_PCPU_RESERVE = 256;
const SK_MEM_SEND = 0;
const SK_MEM_RECV = 1;

/** net/ipv4/tcp.c: tcp_init_mem — [3/4 L, L, 3/2 L] pages with L = max(128, free buffer pages / 16). */
export function tcpMemDefault(freeBufferPages: number): [number, number, number] {
  const limit = Math.max(Math.floor(freeBufferPages / 16), 128);
  const m0 = Math.floor(limit / 4) * 3;
  return [m0, limit, m0 * 2];
}

/** net/ipv4/tcp.c: tcp_init — sysctl_tcp_max_orphans = (ehash_mask + 1) / 2; alloc_large_system_hash("TCP
 *  established", scale 17, high_limit 512 Ki) gives one bucket per 128 KB of memory (pages rounded up to a
 *  MiB), rounded up to a power of two. */
export function tcpMaxOrphansDefault(pages: number): number {
  let n = Math.ceil(pages / 256) * 256;
  n = Math.floor(n / 32); // >> (17 - PAGE_SHIFT)
  n = 2 ** Math.ceil(Math.log2(Math.max(n, 512)));
  return Math.min(n, 512 * 1024) / 2;
}

/** The host's memory in bytes -> nr_free_buffer_pages (the model takes every page as free and buffer-capable). */
export function freeBufferPages(memoryBytes: number): number {
  return Math.floor(memoryBytes / PAGE_SIZE);
}

/** tcp_prot's memory state: tcp_memory_allocated, the per-CPU reserves, tcp_memory_pressure. */
export class TcpMemory {
  /** tcp_memory_allocated (pages; the global atomic, without what the per-CPU reserves hold). */
  allocated = 0;
  /** tcp_memory_per_cpu_fw_alloc (pages), by CPU. */
  readonly pcpu: number[] = [];
  /** tcp_memory_pressure: the jiffy (ms) pressure began, 0 when not under pressure. */
  pressure = 0;

  constructor(
    /** net.ipv4.tcp_mem (pages). */
    readonly limits: readonly number[],
    /** net.core.mem_pcpu_rsv (pages). */
    readonly pcpuRsv: number,
  ) {}

  /** The per-CPU reserve index for a charge now. */
  private slot(cpu: number): number {
    const i = cpu < 0 ? 0 : cpu;
    while (this.pcpu.length <= i) this.pcpu.push(0);
    return i;
  }

  /** include/net/proto_memory.h: sk_memory_allocated_add / proto_memory_pcpu_drain */
  add(cpu: number, pages: number): void {
    const i = this.slot(cpu);
    const v = this.pcpu[i]! + pages;
    if (v >= this.pcpuRsv) {
      this.pcpu[i] = 0;
      this.allocated += v;
    } else this.pcpu[i] = v;
  }

  /** include/net/proto_memory.h: sk_memory_allocated_sub */
  sub(cpu: number, pages: number): void {
    const i = this.slot(cpu);
    const v = this.pcpu[i]! - pages;
    if (v <= -this.pcpuRsv) {
      this.pcpu[i] = 0;
      this.allocated += v;
    } else this.pcpu[i] = v;
  }

  /** include/net/proto_memory.h: proto_memory_allocated (never negative) */
  get memoryAllocated(): number {
    return Math.max(0, this.allocated);
  }
}

/** include/net/tcp.h: tcp_under_memory_pressure */
export function underMemoryPressure(t: TcpHost): boolean {
  return t.mem.pressure !== 0;
}

/** Below tcp_mem[0]: the checks that skip growth "under soft pressure" (sk_memory_allocated < limits[0]). */
export function belowMemLow(t: TcpHost): boolean {
  return t.mem.memoryAllocated < t.mem.limits[0]!;
}

/** net/ipv4/tcp.c: tcp_enter_memory_pressure */
function enterMemoryPressure(t: TcpHost): void {
  if (t.mem.pressure !== 0) return;
  t.mem.pressure = t.nowMs() || -1; // a jiffies value of 0 is stored as -1 (val--)
  t.nstat.add(t.mib.MemoryPressures);
}

/** net/ipv4/tcp.c: tcp_leave_memory_pressure — TCPMemoryPressuresChrono adds the ms spent under pressure. */
function leaveMemoryPressure(t: TcpHost): void {
  const since = t.mem.pressure;
  if (since === 0) return;
  t.mem.pressure = 0;
  t.nstat.add(t.mib.MemoryPressuresChrono, t.nowMs() - (since === -1 ? 0 : since));
}

/** include/net/sock.h: sk_stream_moderate_sndbuf — shrink an unlocked send buffer to half of what is queued. */
function moderateSndbuf(c: TcpConn): void {
  if (c.sndbufLocked) return;
  const val = Math.min(c.sndbuf, Math.floor(c.wmemQueued(TCP_SKB_OVERHEAD) / 2));
  c.sndbuf = Math.max(val, SOCK_MIN_SNDBUF);
}

/** The full sockets of the host (tcp_sockets_allocated, read for the per-socket average). */
function socketsAllocated(t: TcpHost): number {
  return Math.max(1, t.fullSockets());
}

/** net/core/sock.c: __sk_mem_raise_allocated — `amt` pages were added; false = refused (and taken back). */
function raiseAllocated(t: TcpHost, c: TcpConn, size: number, amt: number, kind: number): boolean {
  const m = t.mem;
  const cpu = t.memCpuOf(c);
  m.add(cpu, amt);
  const allocated = m.memoryAllocated;
  if (allocated <= m.limits[0]!) {
    leaveMemoryPressure(t);
    return true;
  }
  if (allocated > m.limits[1]!) enterMemoryPressure(t);
  if (allocated <= m.limits[2]!) {
    // a minimum buffer is guaranteed under pressure (tcp_rmem[0] / tcp_wmem[0])
    if (kind === SK_MEM_RECV) {
      if (c.rmemAlloc < t.rmem[0]!) return true;
    } else if (c.wmemQueued(TCP_SKB_OVERHEAD) < t.wmem[0]!) return true;
    if (m.pressure === 0) return true;
    // under pressure, a socket using less than the average share may still grow
    const mine = Math.ceil((c.wmemQueued(TCP_SKB_OVERHEAD) + c.rmemAlloc + c.fwdAlloc) / PAGE_SIZE);
    if (m.limits[2]! > socketsAllocated(t) * mine) return true;
  }
  // suppress_allocation
  if (kind === SK_MEM_SEND) {
    moderateSndbuf(c);
    // a writer at or above its (now smaller) sndbuf blocks instead of failing
    if (c.wmemQueued(TCP_SKB_OVERHEAD) + size >= c.sndbuf) return true;
  }
  m.sub(cpu, amt);
  return false;
}

/** net/core/sock.c: __sk_mem_schedule — whole pages into sk_forward_alloc. */
function memSchedule(t: TcpHost, c: TcpConn, size: number, kind: number): boolean {
  const amt = Math.ceil(size / PAGE_SIZE);
  c.fwdAlloc += amt * PAGE_SIZE;
  if (raiseAllocated(t, c, size, amt, kind)) return true;
  c.fwdAlloc -= amt * PAGE_SIZE;
  return false;
}

/** include/net/sock.h: sk_wmem_schedule */
export function wmemSchedule(t: TcpHost, c: TcpConn, size: number): boolean {
  const delta = size - c.fwdAlloc;
  return delta <= 0 || memSchedule(t, c, delta, SK_MEM_SEND);
}

/** include/net/sock.h: sk_rmem_schedule (no pfmemalloc skbs in the model) */
export function rmemSchedule(t: TcpHost, c: TcpConn, size: number): boolean {
  const delta = size - c.fwdAlloc;
  return delta <= 0 || memSchedule(t, c, delta, SK_MEM_RECV);
}

/** net/ipv4/tcp_output.c: sk_forced_mem_schedule — charged whatever the limits. */
export function forcedMemSchedule(t: TcpHost, c: TcpConn, size: number): void {
  const delta = size - c.fwdAlloc;
  if (delta <= 0) return;
  const amt = Math.ceil(delta / PAGE_SIZE);
  c.fwdAlloc += amt * PAGE_SIZE;
  t.mem.add(t.memCpuOf(c), amt);
}

/** include/net/sock.h: sk_mem_charge */
export function memCharge(c: TcpConn, size: number): void {
  c.fwdAlloc -= size;
}

/** include/net/sock.h: sk_mem_uncharge -> sk_mem_reclaim (whole pages back as soon as there is one). */
export function memUncharge(t: TcpHost, c: TcpConn, size: number): void {
  c.fwdAlloc += size;
  if (c.fwdAlloc >= PAGE_SIZE) {
    // net/core/sock.c: __sk_mem_reclaim -> __sk_mem_reduce_allocated
    const pages = Math.floor(c.fwdAlloc / PAGE_SIZE);
    c.fwdAlloc -= pages * PAGE_SIZE;
    t.mem.sub(t.memCpuOf(c), pages);
    if (t.mem.pressure !== 0 && t.mem.memoryAllocated < t.mem.limits[0]!) leaveMemoryPressure(t);
  }
}

/** The write queue's sk_wmem_queued changed: charge growth (after sk_wmem_schedule), uncharge what ACKs freed. */
export function sndMemSync(t: TcpHost, c: TcpConn): void {
  // tcp_clean_rtx_queue: skbs ACKed whole are freed (sk_wmem_free_skb); a partly ACKed head is trimmed
  // (tcp_trim_head: truesize less the bytes, as snd_una moves)
  c.sentSkbs.freeTo(c.sndUna);
  const q = c.wmemQueued(TCP_SKB_OVERHEAD);
  if (q > c.sndMem) memCharge(c, q - c.sndMem);
  else if (q < c.sndMem) memUncharge(t, c, c.sndMem - q);
  c.sndMem = q;
}

/** inet_csk_destroy_sock: the queues are purged and sk_mem_reclaim_final returns every page. */
export function memReclaimFinal(t: TcpHost, c: TcpConn): void {
  if (c.memFreed) return; // TIME_WAIT returned it already
  c.memFreed = true;
  const held = c.sndMem + c.rmemAlloc;
  c.sndMem = 0;
  memUncharge(t, c, held);
  if (c.fwdAlloc > 0) {
    // what is left is below a page: sk_mem_reclaim_final frees it too (the reserve counts pages)
    c.fwdAlloc = 0;
  }
}
