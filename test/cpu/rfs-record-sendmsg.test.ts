// RFS learns a socket's CPU from the syscalls that call sock_rps_record_flow (include/net/rps.h), not only
// from data delivery: inet_send_prepare (sendmsg, net/ipv4/af_inet.c) and __inet_accept record an
// ESTABLISHED socket's sk_rxhash, which tcp_v4_do_rcv saved from the SYN-ACK on (sock_rps_save_rxhash).
// So a bulk sender's first sendmsg after connect() records its flow, and get_rps_cpu steers every ACK after
// it to the sender's CPU through that CPU's backlog (enqueue_to_backlog: input_queue_tail advances).
// review12b finding 2 (its probe, made exact): before, a pure sender's ACKs never went through RFS.
import { expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { coreConfigForScenario, loadScenarioText } from "../../src/api.js";
import { World } from "../../src/sim/world.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";

const text = `
name: t
duration: 5ms
hosts:
  client:
    cpus: 2
    sysctl: { net.core.rps_sock_flow_entries: 32768 }
    rps: { flowCnt: 2048 }
  server: {}
links:
  - { a: client, b: server, rate: 10Gbit, delay: 20us }
traffic:
  - { kind: bulk, from: client, to: server:5001 }
`;

it("a bulk sender with RFS on: every segment after the SYN-ACK goes through the backlog of its application's CPU", async () => {
  const s = loadScenarioText(text, "t.yaml");
  const core = await createCore(coreConfigForScenario(s));
  const w = new World(core, worldSpecFromScenario(s));
  w.run();
  const c = w.host("client");
  const segs = c.nstat.get("TcpInSegs");
  expect(segs).toBeGreaterThan(100);
  // the SYN-ACK arrives before the first sendmsg (nothing recorded yet); every later segment is steered to
  // the sender's CPU (CPU 0: a pure sender never processed data, appCpu's default) and enqueued there
  expect(c.rx.softnet.queueTail[0]).toBe(segs - 1);
  expect(c.rx.softnet.queueTail[1]).toBe(0);
});
