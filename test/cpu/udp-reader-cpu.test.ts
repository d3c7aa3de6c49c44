// Where a UDP socket's reader runs when the scenario gives it no thread spec (README, "Reader threads":
// it runs where its packets were processed). A blocking reader's recvmsg runs inside the RX path
// (NetRx.onDeliver on the protocol CPU). A readRate reader is woken by sock_def_readable
// (net/core/sock.c, sk_data_ready from __udp_enqueue_schedule_skb) on the protocol CPU and its reads come
// from its own timer: they must be charged to that CPU too, not to CPU 0 (review12b finding 3).
// Here RPS sends all protocol work to CPU 1 while the NIC's IRQ is on CPU 0.
import { expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { coreConfigForScenario, loadScenarioText, simulate } from "../../src/api.js";

const text = (read: string) => `
name: t
duration: 2ms
hosts:
  server:
    cpus: 2
    rps: { cpus: "2" }
    sockets:
      - { udp: 9000${read} }
  client: {}
links:
  - { a: client, b: server, rate: 10Gbit, delay: 10us }
traffic:
  - { kind: udp, from: client, to: server:9000, size: 100, rate: 100k/s }
`;

async function run(read: string) {
  const s = loadScenarioText(text(read), "t.yaml");
  return simulate(await createCore(coreConfigForScenario(s)), s).hosts.server!;
}

it("RPS to CPU 1, no reader thread spec: a blocking reader's recvmsg runs on CPU 1", async () => {
  const h = await run("");
  expect(h.softnet[1]!.processed).toBeGreaterThan(150);
  expect(h.softnet[0]!.processed).toBe(0);
  expect(h.cpu[1]!.app).toBeGreaterThan(0);
  expect(h.cpu[0]!.app).toBe(0);
});

it("RPS to CPU 1, no reader thread spec: a readRate reader (woken from CPU 1) reads on CPU 1 at the same cost per read", async () => {
  const blocking = await run("");
  const h = await run(", readRate: 1M/s");
  expect(h.softnet[1]!.processed).toBeGreaterThan(150);
  expect(h.softnet[0]!.processed).toBe(0);
  expect(h.cpu[0]!.app).toBe(0);
  // each read costs app + payload x copyPerByte on CPU 1, with no remote charge, as the blocking reader's
  const perRead = blocking.cpu[1]!.app / blocking.softnet[1]!.processed;
  const reads = h.nstat.UdpInDatagrams!;
  expect(reads).toBeGreaterThan(150);
  expect(h.cpu[1]!.app).toBeCloseTo(reads * perRead, 6);
});
