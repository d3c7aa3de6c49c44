// Steers flows the way the simulator does: one skb per flow with real
// Ethernet/IP/TCP headers, hashed in bursts by the WASM RSS context, then the
// hash and queue read back from the skb columns. No shortcut through a
// separate TS hash, so `skbsim rss` answers with the model's own code path.
import { createCore } from "../core/node.js";
import type { Core } from "../core/core.js";
import type { RssContext } from "../core/rss.js";
import { writePacket } from "../wire/skb-headers.js";
import type { Flow } from "./flow.js";

export interface RssSetup {
  key: Uint8Array;
  /** The full indirection table (length a power of two). */
  reta: Uint32Array;
  /** Hash the ports too (4-tuple) or the addresses only (--l3). */
  l4: boolean;
}

export interface FlowResult {
  flow: Flow;
  hash: number;
  index: number;
  queue: number;
}

/** skbs alive at once; flows go through in bursts of this many. */
const BURST = 256;

export async function steerFlows(setup: RssSetup, flows: readonly Flow[]): Promise<FlowResult[]> {
  const burst = Math.max(1, Math.min(BURST, flows.length));
  const core = await createCore({
    skbs: burst,
    ioSlots: Math.max(64, burst),
    maxRings: 1,
    ringSlots: 0,
    rssContexts: 1,
    retaMax: setup.reta.length,
    wheelEntries: 16,
  });
  const ctx = core.rss.create({ key: setup.key, reta: setup.reta, l4: setup.l4 });
  const out: FlowResult[] = [];
  for (let done = 0; done < flows.length; ) {
    const n = Math.min(burst, flows.length - done);
    steerBurst(core, ctx, flows, done, n, out);
    done += n;
  }
  return out;
}

function steerBurst(core: Core, ctx: RssContext, flows: readonly Flow[], from: number, n: number, out: FlowResult[]): void {
  const got = core.allocBurst(n);
  if (got !== n) throw new Error(`skb pool gave ${got} of ${n} skbs`);
  const handles = core.scratch;
  for (let i = 0; i < n; i++) {
    const f = flows[from + i]!;
    writePacket(core, handles[i]!, {
      ip: { version: f.version, src: f.src, dst: f.dst },
      // A port-less flow (--l3) still travels as TCP; the L3 hash ignores ports.
      l4: { proto: "tcp", sport: f.sport ?? 0, dport: f.dport ?? 0 },
    });
  }
  ctx.hashBurst(n, 0);
  for (let i = 0; i < n; i++) {
    const h = handles[i]!;
    const hash = core.skb.hash[h]! >>> 0;
    out.push({ flow: flows[from + i]!, hash, index: ctx.lookup(hash).index, queue: core.skb.queue[h]! });
  }
  core.freeBurst(n);
}
