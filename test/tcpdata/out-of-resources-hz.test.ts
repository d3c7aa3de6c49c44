// tcp_out_of_resources at HZ=250 (net/ipv4/tcp_timer.c, 6.12): `(s32)(tcp_jiffies32 - tp->lsndtime) >
// 2 * TCP_RTO_MAX` doubles the orphan count (shift 1) before tcp_check_oom's `orphans << shift >
// tcp_max_orphans`; lsndtime is a jiffy stamp and TCP_RTO_MAX is 120 * HZ = 30000 jiffies, so the bound is
// 60000 jiffies (240 s). Socket: quietReceiver's receiver closed (tcpClose: FIN_WAIT1, orphaned: 1 orphan) at
// 303 ms, jiffy 75 at HZ=250; tcp_max_orphans 1; do_reset true; the memory test does not hold (tcp_mem).
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { tcpClose } from "../../src/tcp/established.js";
import { outOfResources } from "../../src/tcp/out-of-resources.js";

async function orphanAt250(sinceSentJiffies: number) {
  const r = await quietReceiver();
  tcpClose(r.t, r.sk);
  expect(r.t.orphanCount()).toBe(1);
  (r.t as unknown as { maxOrphans: number }).maxOrphans = 1;
  r.t.hz = 250;
  r.c.jiffyUs = 4000;
  expect(r.t.jiffies()).toBe(75);
  r.c.lsndtime = 75 - sinceSentJiffies;
  const aborted = outOfResources(r.t, r.sk, r.c, true);
  return { aborted, memory: r.nstat.get("TcpExtTCPAbortOnMemory") };
}

describe("tcp_out_of_resources: lsndtime against 2 * TCP_RTO_MAX in jiffies at HZ=250", () => {
  it("60001 jiffies since data was sent: shift 1, 1 << 1 > 1: aborted on memory (before: 60229 'ms', shift 0, kept)", async () => {
    expect(await orphanAt250(60_001)).toEqual({ aborted: true, memory: 1 });
  });

  it("60000 jiffies: not above the bound, shift 0, 1 > 1 fails: kept", async () => {
    expect(await orphanAt250(60_000)).toEqual({ aborted: false, memory: 0 });
  });
});
