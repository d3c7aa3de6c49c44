// RFS learns an accepting server's CPU at accept(): net/ipv4/af_inet.c __inet_accept calls
// sock_rps_record_flow(newsk), which (include/net/rps.h) writes the ESTABLISHED child's sk_rxhash into
// rps_sock_flow_table with the CPU running accept(): ents[hash & mask] = (hash & ~rps_cpu_mask) | cpu.
// The child's sk_rxhash is the handshake's last ACK's skb->hash (sock_rps_save_rxhash in tcp_check_req's
// child). review12b finding 2 (the accept part): before, only data delivery and sendmsg recorded.
import { expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { coreConfigForScenario, loadScenarioText } from "../../src/api.js";
import { World } from "../../src/sim/world.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";
import { TCP_ESTABLISHED } from "../../src/tcp/constants.js";
import { RPS_NO_CPU } from "../../src/cpu/rps.js";

const text = (rfs: boolean) => `
name: t
duration: 5ms
hosts:
  server:
    cpus: 4
    ${rfs ? "sysctl: { net.core.rps_sock_flow_entries: 32768 }" : ""}
    apps:
      - { port: 7000, cpu: 2 }
    sockets:
      - { listen: 7000, backlog: 8, accept: true }
  client: {}
links:
  - { a: client, b: server, rate: 10Gbit, delay: 20us }
traffic:
  - { kind: connect, from: client, to: server:7000, count: 1, rate: 1000/s, at: 0s }
`;

async function accepted(rfs: boolean) {
  const s = loadScenarioText(text(rfs), "t.yaml");
  const core = await createCore(coreConfigForScenario(s));
  const w = new World(core, worldSpecFromScenario(s));
  w.run();
  const srv = w.host("server");
  const tcp = srv.stack.tcp;
  let child = null;
  for (let slot = 0; slot < 64; slot++) {
    const sk = tcp.sockAt(slot);
    if (sk !== null && sk.state === TCP_ESTABLISHED && sk.lport === 7000) child = sk;
  }
  return { srv, child: child! };
}

it("accept() records the child's flow with the accepting thread's CPU (no data ever arrives)", async () => {
  const { srv, child } = await accepted(true);
  expect(child.accepted).toBe(true);
  const rps = srv.rx.rps;
  const hash = child.rxhash;
  expect(hash).not.toBe(0);
  // 4 CPUs: rps_cpu_mask 3; the thread of port 7000 runs on CPU 2
  expect(rps.cpuMask).toBe(3);
  expect(rps.sockTable![hash & rps.sockMask]).toBe(((hash & ~3) | 2) >>> 0);
  // the only entry written
  expect(rps.sockTable!.filter((v) => v !== RPS_NO_CPU).length).toBe(1);
});

it("without rps_sock_flow_entries nothing is recorded (rfs_needed off)", async () => {
  const { srv, child } = await accepted(false);
  expect(child.accepted).toBe(true);
  expect(srv.rx.rps.sockTable).toBeNull();
});
