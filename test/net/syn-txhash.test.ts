// The handshake's txhash and the TX queue it picks (Linux 6.12). A connecting socket picks sk_txhash at
// connect (tcp_v4_connect -> sk_set_txhash) and its SYN carries it (tcp_transmit_skb ->
// skb_set_hash_from_sk); each SYN retransmission timeout re-picks it (tcp_retransmit_timer ->
// tcp_write_timeout -> sk_rethink_txhash: TcpTimeoutRehash). A request sock picks its own txhash
// (tcp_conn_request), its SYN-ACK carries it (tcp_make_synack: skb_set_hash), and each SYN-ACK
// retransmission re-picks it (tcp_rtx_synack; no counter of its own). Both only while the socket's
// sk_txrehash is on (net.core.txrehash, default 1). Without XPS the hash picks the TX queue
// (netdev_pick_tx: skb_tx_hash = reciprocal_scale(hash, real_num_tx_queues)), so a retransmitted SYN or
// SYN-ACK may leave by another queue. Here every frame is lost on the wire, so each connection
// retransmits; the NICs have 8 TX queues.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import type { LinkConfig } from "../../src/net/link.js";
import { rethinkTxhash, txhashOf } from "../../src/tcp/txhash.js";
import { host, link, world } from "../sim/spec-helpers.js";

const QUEUES = 8;
const TCPHDR_SYN = 0x02;
const TCPHDR_ACK = 0x10;
const TCPHDR_FIN = 0x01;

interface Sent {
  port: number;
  hash: number;
  queue: number;
}

/** `conns` connections client -> server:80 for 3.5 s; `lose`: which direction loses every frame. The
 *  SYNs the client sends and the SYN-ACKs the server sends (those the qdisc took), per connection (by the
 *  client's port). `serverNoSkbs`: every skb allocation of the server's TCP fails in this window [from, to) ns;
 *  `serverQdiscDrops`: the server's qdisc drops every skb in it (dev_queue_xmit's NET_XMIT_DROP). */
async function run(
  txrehash: number,
  lose: "client->server" | "server->client",
  conns: number,
  serverNoSkbs?: [number, number],
  serverQdiscDrops?: [number, number],
) {
  const nic = { queues: QUEUES, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 };
  const spec = world(
    [
      host("client", 1, { nic, sysctl: { "net.core.txrehash": txrehash } }),
      host("server", 2, { nic, sysctl: { "net.core.txrehash": txrehash }, listeners: [{ port: 80, backlog: 128, accept: true }] }),
    ],
    // loss > 0: per-frame mode, which draws each frame's loss as it leaves
    [link("client", "server", { loss: 1e-300 })],
    [{ kind: "connect", from: "client", to: "server", port: 80, count: conns, at: 0, rate: 1000, spoof: "none" }],
    { durationNs: 3.5e9 },
  );
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const [ab, ba] = w.linkDirections() as unknown as { config: LinkConfig }[];
  (lose === "client->server" ? ab! : ba!).config.loss = 1;
  // every skb allocation of the server's TCP fails in [from, to) ns
  let failedAllocs = 0;
  if (serverNoSkbs !== undefined) {
    const env = w.host("server").stack.tcp.env;
    const alloc = env.alloc.bind(env);
    (env as { alloc: () => number }).alloc = () => {
      const now = w.loop.now;
      if (now >= serverNoSkbs[0] && now < serverNoSkbs[1]) {
        failedAllocs++;
        return -1;
      }
      return alloc();
    };
  }
  const syns: Sent[] = [];
  const synAcks: Sent[] = [];
  let qdiscDrops = 0;
  const inWindow = (win: [number, number] | undefined): boolean => win !== undefined && w.loop.now >= win[0] && w.loop.now < win[1];
  for (const [name, out] of [["client", syns], ["server", synAcks]] as const) {
    const nicTx = w.host(name).nics[0]!.tx;
    const xmit = nicTx.xmit.bind(nicTx);
    nicTx.xmit = (h) => {
      if (name === "server" && inWindow(serverQdiscDrops)) {
        // as a full qdisc: qdisc_drop (QDISC_DROP), NET_XMIT_DROP up to ip_build_and_send_pkt
        qdiscDrops++;
        w.host("server").stack.tcp.dropSkb(h, "QDISC_DROP");
        return false;
      }
      const ok = xmit(h);
      const tcp = h * 128 + core.skb.transport[h]!;
      const flags = core.headers[tcp + 13]!;
      // the client's port: the source of a SYN, the destination of a SYN-ACK
      const port = name === "client" ? (core.headers[tcp]! << 8) | core.headers[tcp + 1]! : (core.headers[tcp + 2]! << 8) | core.headers[tcp + 3]!;
      if ((flags & TCPHDR_SYN) !== 0 && (name === "client") === ((flags & TCPHDR_ACK) === 0)) out.push({ port, hash: core.skb.hash[h]!, queue: core.skb.queue[h]! });
      return ok;
    };
  }
  const report = buildReport(w, w.run());
  return { report, syns, synAcks, failedAllocs, qdiscDrops };
}

function byPort(sent: Sent[]): Map<number, Sent[]> {
  const m = new Map<number, Sent[]>();
  for (const s of sent) m.set(s.port, [...(m.get(s.port) ?? []), s]);
  return m;
}

/** skb_tx_hash: reciprocal_scale(hash, QUEUES). */
const txQueue = (hash: number): number => Math.floor((hash * QUEUES) / 2 ** 32);

describe("SYN and SYN-ACK retransmissions re-pick the txhash (sk_rethink_txhash, tcp_rtx_synack)", () => {
  it("a SYN's RTO picks a new sk_txhash (TcpTimeoutRehash) and the retransmission leaves by its queue", async () => {
    const conns = 16;
    const { report, syns } = await run(1, "client->server", conns);
    const n = report.hosts["client"]!.nstat;
    // SYN at 0, then tcp_syn_linear_timeouts (4) retransmissions 1 s apart: 3 by 3.5 s, each after a rehash
    expect(n["TcpExtTCPSynRetrans"]).toBe(3 * conns);
    expect(n["TcpExtTcpTimeoutRehash"]).toBe(3 * conns);
    const per = byPort(syns);
    expect(per.size).toBe(conns);
    const queues = new Set<string>();
    for (const list of per.values()) {
      expect(list.length).toBe(4);
      expect(list[0]!.hash).not.toBe(0);
      // each retransmission's hash is the previous one re-picked (the model's net_tx_rndhash: rethinkTxhash)
      for (let i = 1; i < 4; i++) expect(list[i]!.hash).toBe(rethinkTxhash(list[i - 1]!.hash, i - 1));
      for (const s of list) expect(s.queue).toBe(txQueue(s.hash));
      queues.add(list.map((s) => s.queue).join());
    }
    // the queues move: not every connection keeps one queue for its four SYNs
    expect([...queues].some((q) => new Set(q.split(",")).size > 1)).toBe(true);
    expect(report.ledger.unaccounted).toBe(0);
  });

  it("net.core.txrehash 0: a SYN's RTO keeps the hash and the queue, and counts no TcpTimeoutRehash", async () => {
    const conns = 16;
    const { report, syns } = await run(0, "client->server", conns);
    const n = report.hosts["client"]!.nstat;
    expect(n["TcpExtTCPSynRetrans"]).toBe(3 * conns);
    expect(n["TcpExtTcpTimeoutRehash"] ?? 0).toBe(0);
    const per = byPort(syns);
    for (const list of per.values()) {
      expect(list.length).toBe(4);
      for (const s of list) expect([s.hash, s.queue]).toEqual([list[0]!.hash, txQueue(list[0]!.hash)]);
    }
    // the connections' SYNs spread over the queues by their own hashes
    expect(new Set(syns.map((s) => s.queue)).size).toBeGreaterThan(1);
  });

  it("a SYN-ACK retransmission re-picks the request's txhash (no TcpTimeoutRehash); with txrehash 0 it keeps it", async () => {
    const conns = 16;
    for (const rehash of [1, 0]) {
      const { report, synAcks } = await run(rehash, "server->client", conns);
      const n = report.hosts["server"]!.nstat;
      expect(n["TcpExtTcpTimeoutRehash"] ?? 0).toBe(0);
      const per = byPort(synAcks);
      expect(per.size).toBe(conns);
      let moved = 0;
      for (const list of per.values()) {
        // the SYN-ACK, then retransmissions: by the request timer (1 s, 3 s) and for each retransmitted SYN
        // (tcp_check_req: inet_rtx_syn_ack)
        expect(list.length).toBeGreaterThanOrEqual(3);
        expect(list[0]!.hash).not.toBe(0);
        for (let i = 1; i < list.length; i++) {
          expect(list[i]!.hash).toBe(rehash === 1 ? rethinkTxhash(list[i - 1]!.hash, i - 1) : list[0]!.hash);
          if (list[i]!.queue !== list[0]!.queue) moved++;
        }
        for (const s of list) expect(s.queue).toBe(txQueue(s.hash));
      }
      if (rehash === 1) expect(moved).toBeGreaterThan(0);
      else expect(moved).toBe(0);
      expect(n["TcpExtTCPSynRetrans"]).toBe(synAcks.length - conns);
    }
  });

  // Each connection's SYN at 0 is answered at 50 us (the link's delay). Its request timer fires at 1 s
  // (+50 us) and tries to resend the SYN-ACK; the client's retransmitted SYNs arrive at 1 s, 2 s and 3 s
  // (+50 us, each after the timer of that instant). That order is a tie the model breaks, not a kernel fact:
  // the timer and the SYN are both 1 s after one event shifted by the same path delay, so they fall on the
  // same ns whatever the delay, and the event loop runs equal-time events in insertion order (the link in
  // per-frame mode), the timer's first. In Linux the order depends on jiffies rounding and softirq order; had
  // the SYN run first it would meet the old request (tcp_check_req's failed rtx) and the counts below would
  // differ. With the server unable to send in [0.5 s, 2.5 s), the
  // timer's retransmission at 1 s fails, so reqsk_timer_handler drops the request (kept only if
  // inet_rtx_syn_ack returned 0 or it was acked); the SYN just after makes a new request (same 4-tuple
  // txhash) whose first SYN-ACK fails too, and its timer at 2 s fails and drops it the same way; the SYN at
  // 2 s makes a third request, whose first SYN-ACK fails. Failed sends count nothing (tcp_rtx_synack counts
  // on send_synack's 0, inet_rtx_syn_ack bumps num_retrans on it): 4 per connection. At 3 s the third
  // request's timer resends (num_retrans 0 -> 1) and the SYN of 3 s is answered by tcp_check_req's
  // inet_rtx_syn_ack (its first out-of-window answer: no rate limit). So 3 SYN-ACKs per connection go (the
  // first, then 2 retransmissions) and 3 TCPTimeouts count (1 s, 2 s, 3 s). With txrehash on, each
  // retransmission re-picks the request's txhash first (tcp_rtx_synack) with n = num_retrans: the first
  // request's and the third's start from the same 4-tuple hash (firstTxhash), so the two that went are
  // rethink(h0, 0) and rethink(that, 1).
  function checkFailedWindow(report: ReturnType<typeof buildReport>, synAcks: Sent[], conns: number): void {
    const n = report.hosts["server"]!.nstat;
    const per = byPort(synAcks);
    expect(per.size).toBe(conns);
    for (const list of per.values()) {
      expect(list.length).toBe(3);
      const h = rethinkTxhash(list[0]!.hash, 0);
      expect(list[1]!.hash).toBe(h);
      expect(list[2]!.hash).toBe(rethinkTxhash(h, 1));
    }
    // only the SYN-ACKs that went after the first are retransmissions (the server sends nothing else)
    expect(n["TcpExtTCPSynRetrans"]).toBe(2 * conns);
    expect(n["TcpRetransSegs"]).toBe(2 * conns);
    expect(n["TcpExtTCPTimeouts"]).toBe(3 * conns);
    expect(report.ledger.unaccounted).toBe(0);
  }

  it("a request whose timer retransmission gets no skb is dropped; failed SYN-ACKs count nothing", async () => {
    const conns = 16;
    const { report, synAcks, failedAllocs } = await run(1, "server->client", conns, [0.5e9, 2.5e9]);
    expect(failedAllocs).toBe(4 * conns);
    checkFailedWindow(report, synAcks, conns);
  });

  // The server cannot send in [1.5 s, 2.5 s): the timer at 1 s resends (num_timeout 1, next at 1 s + 2 s);
  // the SYN just after is answered by tcp_check_req (inet_rtx_syn_ack; the timer stays at 3 s); the SYN at
  // 2 s is not rate limited (1 s after the last answer) but its SYN-ACK fails, so tcp_check_req must not push
  // the timer (it would move to 4 s, past the run's end); at 3 s the timer and the SYN of 3 s resend. So 5
  // SYN-ACKs per connection go (4 retransmissions), one send fails, 2 TCPTimeouts (1 s, 3 s).
  it("tcp_check_req pushes the request timer only when its SYN-ACK went", async () => {
    const conns = 16;
    const { report, synAcks, failedAllocs } = await run(1, "server->client", conns, [1.5e9, 2.5e9]);
    expect(failedAllocs).toBe(conns);
    const per = byPort(synAcks);
    expect(per.size).toBe(conns);
    for (const list of per.values()) expect(list.length).toBe(5);
    const n = report.hosts["server"]!.nstat;
    expect(n["TcpExtTCPSynRetrans"]).toBe(4 * conns);
    expect(n["TcpExtTCPTimeouts"]).toBe(2 * conns);
    expect(report.ledger.unaccounted).toBe(0);
  });

  it("a request whose timer retransmission the qdisc drops is dropped; failed SYN-ACKs count nothing (net_xmit_eval)", async () => {
    const conns = 16;
    const { report, synAcks, qdiscDrops } = await run(1, "server->client", conns, undefined, [0.5e9, 2.5e9]);
    expect(qdiscDrops).toBe(4 * conns);
    expect(report.ledger.dropped["QDISC_DROP"]).toBe(4 * conns);
    checkFailedWindow(report, synAcks, conns);
  });
});

describe("a handshake's final ACK carries the socket's txhash (tcp_send_ack -> skb_set_hash_from_sk)", () => {
  it("the client's ACK of the SYN-ACK has its SYN's hash and leaves by that hash's TX queue, not queue 0", async () => {
    const nic = { queues: QUEUES, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 };
    const conns = 16;
    const spec = world(
      [host("client", 1, { nic }), host("server", 2, { nic, listeners: [{ port: 80, backlog: 128, accept: true }] })],
      [link("client", "server")],
      [{ kind: "connect", from: "client", to: "server", port: 80, count: conns, at: 0, rate: 1000, spoof: "none" }],
      { durationNs: 0.1e9 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const syn = new Map<number, number>();
    const ack = new Map<number, Sent>();
    const nicTx = w.host("client").nics[0]!.tx;
    const xmit = nicTx.xmit.bind(nicTx);
    nicTx.xmit = (h) => {
      const ok = xmit(h);
      const tcp = h * 128 + core.skb.transport[h]!;
      const flags = core.headers[tcp + 13]!;
      const port = (core.headers[tcp]! << 8) | core.headers[tcp + 1]!;
      if (flags === TCPHDR_SYN) syn.set(port, core.skb.hash[h]!);
      else if (flags === TCPHDR_ACK && !ack.has(port)) ack.set(port, { port, hash: core.skb.hash[h]!, queue: core.skb.queue[h]! });
      return ok;
    };
    const report = buildReport(w, w.run());
    expect(ack.size).toBe(conns);
    for (const a of ack.values()) {
      expect(a.hash).not.toBe(0);
      expect(a.hash).toBe(syn.get(a.port));
      expect(a.queue).toBe(txQueue(a.hash));
    }
    expect(new Set([...ack.values()].map((a) => a.queue)).size).toBeGreaterThan(1);
    expect(report.ledger.unaccounted).toBe(0);
  });
});

describe("a cookie SYN-ACK carries a txhash (tcp_conn_request draws tcp_rsk(req)->txhash for every request)", () => {
  // tcp_conn_request sets tcp_rsk(req)->txhash = net_tx_rndhash() for every request, cookie or not (after
  // cookie_init_sequence, before send_synack), and
  // tcp_make_synack stamps it (skb_set_hash), so a cookie SYN-ACK, whose request is freed once it is sent,
  // leaves by its hash's TX queue (skb_tx_hash without XPS) like any SYN-ACK: the model's net_tx_rndhash
  // is txhashOf(lport, rport, raddr).
  const titles = {
    burst: "in a NAPI poll's burst",
    single: "one by one (no poll burst)",
    generic: "through the generic header writer (no SYN-ACK template slot, as IPv6)",
  } as const;
  for (const mode of ["burst", "single", "generic"] as const) {
    const batched = mode === "burst";
    it(`${titles[mode]}: each has its tuple's hash and queue, spread over the queues`, async () => {
      const nic = { queues: QUEUES, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000 };
      const spec = world(
        [host("attacker", 1, { nic }), host("server", 2, { nic, sysctl: { "net.ipv4.tcp_syncookies": 2 }, listeners: [{ port: 80, backlog: 128, accept: true }] })],
        [link("attacker", "server")],
        [{ kind: "syn-flood", from: "attacker", to: "server", port: 80, count: 256, at: 0, rate: 1e6, spoof: "random" }],
        { durationNs: 2e6 },
      );
      const core = await createCore(coreConfigFor(spec));
      const w = new World(core, spec);
      const server = w.host("server");
      let bursts = 0;
      const tcp = server.stack.tcp;
      if (!batched) server.rx.txHold = () => {};
      // conn-request.ts's SegOut path (tcp_v4_send_synack via the generic header writer): taken when no
      // template slot fits, as for IPv6
      let generic = 0;
      if (mode === "generic") {
        tcp.cookieSynAckSlot = () => {
          generic++;
          return -1;
        };
      }
      const flush = tcp.flushCookies.bind(tcp);
      tcp.flushCookies = () => {
        bursts += tcp.cookieBurst.n;
        flush();
      };
      const sent: { hash: number; queue: number; expect: number }[] = [];
      const nicTx = server.nics[0]!.tx;
      const xmit = nicTx.xmit.bind(nicTx);
      nicTx.xmit = (h) => {
        const ok = xmit(h);
        const ip = h * 128 + core.skb.network[h]!;
        const tcpOff = h * 128 + core.skb.transport[h]!;
        const b = core.headers;
        if (b[tcpOff + 13] === (TCPHDR_SYN | TCPHDR_ACK)) {
          const lport = (b[tcpOff]! << 8) | b[tcpOff + 1]!;
          const rport = (b[tcpOff + 2]! << 8) | b[tcpOff + 3]!;
          const raddr = ((b[ip + 16]! << 24) | (b[ip + 17]! << 16) | (b[ip + 18]! << 8) | b[ip + 19]!) >>> 0;
          sent.push({ hash: core.skb.hash[h]!, queue: core.skb.queue[h]!, expect: txhashOf(lport, rport, raddr) });
        }
        return ok;
      };
      const report = buildReport(w, w.run());
      const n = report.hosts["server"]!.nstat;
      // the SYNs whose random source is not martian (test/net/martian-source) reach TCP, each gets a cookie
      const syns = n["TcpInSegs"]!;
      expect(syns).toBeGreaterThan(220);
      expect(n["TcpExtSyncookiesSent"]).toBe(syns);
      expect(sent.length).toBe(syns);
      if (batched) expect(bursts).toBeGreaterThan(0);
      else expect(bursts).toBe(0);
      expect(generic).toBe(mode === "generic" ? syns : 0);
      for (const s of sent) {
        expect(s.hash).not.toBe(0);
        expect(s.hash).toBe(s.expect);
        expect(s.queue).toBe(txQueue(s.hash));
      }
      // 256 random sources over 8 queues: every queue gets some (before: hash 0, all queue 0)
      expect(new Set(sent.map((s) => s.queue)).size).toBe(QUEUES);
      expect(report.ledger.unaccounted).toBe(0);
    });
  }
});

describe("a SYN-cookie child's txhash (syncookies.c: cookie_tcp_reqsk_init; tcp_create_openreq_child)", () => {
  it("with tcp_syncookies 2 the child's bare ACK and FIN carry a txhash and leave by its TX queue, not queue 0", async () => {
    // cookie_tcp_reqsk_init draws treq->txhash (net_tx_rndhash) and tcp_create_openreq_child gives it to the
    // child (sk_txhash), so the server's first segments, before any data, already carry it (the model's
    // draw: txhashOf of the 4-tuple). Each client
    // closes 10 ms after ESTABLISHED; the server's child (no data) gets the FIN: tcp_fin schedules the ACK,
    // CLOSE_WAIT, pingpong mode, and tcp_ack_snd_check leaves it to the delayed-ACK timer (ato 0: no data
    // received, so tcp_event_data_recv never set it; the timer at jiffies + 0). The application, closing at
    // EOF, sends its FIN before that timer runs: one FIN|ACK (tcp_event_ack_sent clears the pending ACK), with
    // sk_txhash.
    const nic = { queues: QUEUES, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 };
    const conns = 16;
    const spec = world(
      [
        host("client", 1, { nic }),
        host("server", 2, { nic, sysctl: { "net.ipv4.tcp_syncookies": 2 }, listeners: [{ port: 80, backlog: 128, accept: true }] }),
      ],
      [link("client", "server")],
      [{ kind: "connect", from: "client", to: "server", port: 80, count: conns, at: 0, rate: 1000, spoof: "none", holdNs: 10e6 }],
      { durationNs: 0.1e9 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const sent = new Map<number, (Sent & { flags: number; expect: number })[]>();
    const nicTx = w.host("server").nics[0]!.tx;
    const xmit = nicTx.xmit.bind(nicTx);
    nicTx.xmit = (h) => {
      const ok = xmit(h);
      const tcp = h * 128 + core.skb.transport[h]!;
      const flags = core.headers[tcp + 13]!;
      const port = (core.headers[tcp + 2]! << 8) | core.headers[tcp + 3]!;
      const ip = h * 128 + core.skb.network[h]!;
      const b = core.headers;
      const raddr = ((b[ip + 16]! << 24) | (b[ip + 17]! << 16) | (b[ip + 18]! << 8) | b[ip + 19]!) >>> 0;
      const s = { port, flags, hash: core.skb.hash[h]!, queue: core.skb.queue[h]!, expect: txhashOf(80, port, raddr) };
      if ((flags & TCPHDR_SYN) === 0) sent.set(port, [...(sent.get(port) ?? []), s]);
      return ok;
    };
    const report = buildReport(w, w.run());
    const n = report.hosts["server"]!.nstat;
    expect(n["TcpExtSyncookiesRecv"]).toBe(conns);
    expect(sent.size).toBe(conns);
    for (const list of sent.values()) {
      // the child's FIN, carrying the ACK of the client's FIN
      expect(list.map((s) => s.flags)).toEqual([TCPHDR_ACK | TCPHDR_FIN]);
      for (const s of list) {
        // the model's net_tx_rndhash for the child: its 4-tuple's txhashOf (not the flow hash an skb
        // without one gets, skb_get_hash)
        expect(s.hash).toBe(s.expect);
        expect(s.queue).toBe(txQueue(s.hash));
      }
    }
    expect(new Set([...sent.values()].map((l) => l[0]!.queue)).size).toBeGreaterThan(1);
    expect(report.ledger.unaccounted).toBe(0);
  });
});

describe("reqsk_timer_handler drops a request whose SYN-ACK retransmission got no skb (inet_rtx_syn_ack != 0, not acked)", () => {
  it("16 SYNs, the server's TCP gets no skbs in [0.5 s, 1.5 s): each request's 1 s timer fails to resend and drops it", async () => {
    // 16 SYNs 1 ms apart from t = 0 (the ones whose random source is not martian make requests); the
    // SYN-ACKs are lost (no ACK ever comes). Each request's timer
    // fires at its SYN's arrival + TCP_TIMEOUT_INIT (1 s), inside the window: tcp_syn_ack_timeout counts
    // TcpTimeouts, inet_rtx_syn_ack finds no skb (tcp_make_synack NULL: send_synack's error), and since the
    // request is not acked, reqsk_timer_handler drops it (__inet_csk_reqsk_queue_drop). So by 3.5 s:
    // 16 SYN-ACKs sent (the first ones), 16 Timeouts, no TCPSynRetrans, 16 failed allocations, the request
    // queue empty. (Before: the requests were kept and their timers re-armed for 2 s, so at ~3 s each
    // resent: 32 SYN-ACKs, 32 Timeouts, 16 TCPSynRetrans.)
    const nic = { queues: QUEUES, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 };
    const conns = 16;
    const spec = world(
      [host("attacker", 1, { nic }), host("server", 2, { nic, listeners: [{ port: 80, backlog: 128, accept: true }] })],
      [link("attacker", "server", { loss: 1e-300 })],
      [{ kind: "syn-flood", from: "attacker", to: "server", port: 80, count: conns, at: 0, rate: 1000, spoof: "random" }],
      { durationNs: 3.5e9 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const [, ba] = w.linkDirections() as unknown as { config: LinkConfig }[];
    ba!.config.loss = 1;
    const env = w.host("server").stack.tcp.env;
    const alloc = env.alloc.bind(env);
    let failedAllocs = 0;
    (env as { alloc: () => number }).alloc = () => {
      const now = w.loop.now;
      if (now >= 0.5e9 && now < 1.5e9) {
        failedAllocs++;
        return -1;
      }
      return alloc();
    };
    let synAcks = 0;
    const nicTx = w.host("server").nics[0]!.tx;
    const xmit = nicTx.xmit.bind(nicTx);
    nicTx.xmit = (h) => {
      if (core.headers[h * 128 + core.skb.transport[h]! + 13] === (TCPHDR_SYN | TCPHDR_ACK)) synAcks++;
      return xmit(h);
    };
    const report = buildReport(w, w.run());
    const n = report.hosts["server"]!.nstat;
    // the requests: the SYNs whose random source is not martian (test/net/martian-source)
    const reqs = n["TcpInSegs"]!;
    expect(reqs).toBeGreaterThan(conns / 2);
    expect(reqs).toBeLessThanOrEqual(conns);
    expect(failedAllocs).toBe(reqs);
    expect(synAcks).toBe(reqs);
    expect(n["TcpExtTCPTimeouts"]).toBe(reqs);
    expect(n["TcpExtTCPSynRetrans"] ?? 0).toBe(0);
    expect(w.host("server").stack.tcp.listeners[0]!.qlen).toBe(0);
    expect(report.ledger.unaccounted).toBe(0);
  });
});
