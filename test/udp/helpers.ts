// Shared bits of the UDP / IP fragment tests: run a WorldSpec, and hand-made
// fragments injected straight into a host's stack (counted in the ledger).
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { buildReport } from "../../src/report/build.js";
import { writePacket } from "../../src/wire/skb-headers.js";
import { ipFragment } from "../../src/net/ipfrag.js";

export async function run(spec: WorldSpec) {
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const result = w.run();
  return { w, core, result, report: buildReport(w, result) };
}

export async function build(spec: WorldSpec) {
  const core = await createCore(coreConfigFor(spec));
  return { core, w: new World(core, spec) };
}

/** Allocate (ledger-counted) and fragment one UDP datagram a -> b; returns the fragment handles in offset order. */
export function fragments(w: World, payload: number, id: number, mtu = 1500, src = [10, 0, 0, 1], dst = [10, 0, 0, 2]): number[] {
  const core = w.core;
  const alloc = (): number => {
    const h = core.allocOne(0);
    if (h >= 0) w.ledger.create();
    return h;
  };
  const h = alloc();
  writePacket(core, h, {
    ip: { version: 4, src: Uint8Array.from(src), dst: Uint8Array.from(dst), df: false, id },
    l4: { proto: "udp", sport: 40000, dport: 9000 },
    payloadLen: payload,
  });
  const out: number[] = [];
  const n = ipFragment(core, h, mtu, alloc, out);
  if (n < 0) throw new Error("pool empty");
  return out.slice();
}
