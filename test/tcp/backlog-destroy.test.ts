// net/core/sock.c: __release_sock detaches sk_backlog (head = tail = NULL) before handing each skb to
// sk_backlog_rcv: a segment that closes the socket while the backlog drains leaves the rest to be discarded
// once each by the closed socket, and the skbs already processed are never seen again (review13b #1).
import { expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { loadScenarioText } from "../../src/scenario/load.js";
import { simulate, coreConfigForScenario } from "../../src/sim/simulate.js";

// MTU 32768: 1 MB goes out as big segments, and the peer's FIN reaches the client while its socket is owned
// (a sendmsg/close call), so the closing segment is processed from the backlog and tcp_done/tcp_time_wait
// destroys the socket inside __release_sock. Before the fix the purge of the destroyed socket dropped the skb
// being processed a second time: created 63, delivered 63, dropped 1 TCP_CLOSE, unaccounted -1.
it("a socket closed while its backlog drains frees each skb once (1 MB over MTU 32768)", async () => {
  const s = loadScenarioText(`name: probe
duration: 10ms
hosts:
  server: { nic: { mtu: 32768 } }
  client: { nic: { mtu: 32768 } }
links:
  - { a: client, b: server }
traffic:
  - { kind: bulk, from: client, to: server:7000, bytes: 1MB }
`, "probe.yaml");
  const core = await createCore(coreConfigForScenario(s));
  const r = simulate(core, s);
  expect(r.ledger.unaccounted).toBe(0);
  // every skb of this run is one TCP segment (no GSO skb reaches the wire: TSO cuts them at the NIC), so
  // the ledger creates exactly the two ends' TcpOutSegs and delivers each once. The count itself follows
  // how the 1 MB write splits into skbs: tcp_xmit_size_goal (bounded to half the peer's largest window,
  // the SYN-ACK's unscaled 2 x 32716 until an ACK offers more: tcp_rcv_synsent_state_process) and the
  // sndbuf limit (64 segments here; 63 when the model scaled the SYN-ACK window); not what this test is about.
  const n = (h: string, k: string) => r.hosts[h]!.nstat[k] ?? 0;
  const segs = n("client", "TcpOutSegs") + n("server", "TcpOutSegs");
  expect(r.ledger.created).toBe(segs);
  expect(r.ledger.delivered).toBe(segs);
  // all of the megabyte in at least ceil(1e6 / 32716) = 31 data segments (MSS 32768 - 40 - 12)
  expect(n("client", "TcpExtTCPOrigDataSent")).toBeGreaterThanOrEqual(31);
  expect(r.ledger.dropped).toEqual({});
  expect(r.ledger.inFlight).toBe(0);
});
