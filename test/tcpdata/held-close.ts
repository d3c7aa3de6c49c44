// The shared start of the FIN-and-window tests: a flow that moved 1000 bytes, all ACKed, whose
// application's close() waits until the test calls it.
import { expect } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { pair, bulk } from "./helpers.js";
import { clientConn } from "./inject.js";
import type { TcpSock } from "../../src/tcp/sock.js";

/** 1000 bytes a -> b, ACKed; the application's close() held back until the test calls it. */
export async function dataAckedNotClosed() {
  const spec = pair({ durationNs: 10e9, delayNs: 50_000 }, [bulk({ bytes: 1000 })]);
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const tcp = w.host("a").stack.tcp;
  const close = tcp.closeConn.bind(tcp);
  tcp.closeConn = () => {};
  for (const g of w.traffic) g.start();
  w.loop.run(5e6);
  const r = clientConn(w);
  expect(r.c.sndUna).toBe(1000);
  expect(r.c.writeSeq).toBe(1000);
  expect(r.c.packetsOut).toBe(0);
  return { w, close: (sk: TcpSock) => close(sk), ...r };
}
