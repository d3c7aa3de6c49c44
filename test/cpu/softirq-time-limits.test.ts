// net_rx_action's time limit (net/core/dev.c: time_after_eq(jiffies, time_limit), time_limit = jiffies +
// usecs_to_jiffies(netdev_budget_usecs) = +2 jiffies) and handle_softirqs' MAX_SOFTIRQ_TIME (kernel/softirq.c:
// end = jiffies + 2; restart only while time_before(jiffies, end)). No built-in scenario reaches either
// (review12b finding 7); here polls are slow enough to reach both: 2 NAPIs on one CPU, 128 frames each,
// 20 us a packet. Fails with either limit removed from the model (net-rx.ts netRxStep, sched.ts step).
import { expect, it } from "vitest";
import { rxWorld } from "./helpers.js";

const nic = { queues: 2, rateBps: 10e9, mtu: 1500, rxRing: 2048, txRing: 256, txqueuelen: 1000 };
const cost = { irq: 0, ipi: 0, ipiLatency: 0, softirq: 0, driver: 0, gro: 0, ip: 0, tcp: 0, udp: 20_000, backlogEnqueue: 0, backlogDequeue: 0, app: 0, copyPerByte: 0, remote: 0, txClean: 0 };

it("2 busy NAPIs, 1.28 ms a poll: each net_rx_action stops on its 2-jiffy limit (time_squeeze 2) and the second runs in ksoftirqd", async () => {
  const t = await rxWorld({ cpus: 1, nic, cost }, { durationNs: 20e6 });
  t.inject(128, { queue: 0 });
  t.inject(128, { queue: 1 });
  const { report } = t.finish();
  // round 1 (inline, t = 0, time_limit jiffy 2): q0 64 -> 1.28 ms (jiffy 1), q1 64 -> 2.56 ms (jiffy 2 >= 2):
  //   time_squeeze 1, both repolled; __do_softirq: jiffy 2 is not before end (0 + 2) -> wakeup_softirqd
  // round 2 (ksoftirqd, 2.56 ms, time_limit jiffy 4): q0 64 -> 3.84 ms, q1 64 -> 5.12 ms (jiffy 5): time_squeeze 2
  // round 3 (ksoftirqd again): both polls find nothing, napi_complete_done
  expect(report.hosts.b!.softnet[0]).toMatchObject({ processed: 256, time_squeeze: 2 });
  expect(t.hb.rx.sched.softirqNs[0]).toBe(256 * 20_000);
  expect(t.hb.rx.sched.ksoftirqdNs[0]).toBe(128 * 20_000);
});
