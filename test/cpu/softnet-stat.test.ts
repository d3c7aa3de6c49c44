// /proc/net/softnet_stat: the 15 columns of 6.12's net/core/net-procfs.c softnet_seq_show, in its order —
// processed, dropped, time_squeeze, 0, 0 x 4 ("was fastroute"), 0 ("was cpu_collision"), received_rps,
// flow_limit_count, input_qlen + process_qlen, the CPU index, input_qlen, process_qlen — in the JSON
// report and the text table. Queue lengths are the backlog's at the end of the run.
import { describe, expect, it } from "vitest";
import { rxWorld } from "./helpers.js";
import type { RpsConfig } from "../../src/cpu/rps.js";
import { renderText } from "../../src/report/text.js";

const rps = (over: Partial<RpsConfig>): RpsConfig => ({ cpus: [], flowCnt: 0, arfs: false, flowLimitCpus: [], ...over });
const nic = { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 2048, txRing: 256, txqueuelen: 1000 };
const zeros = { col4: 0, col5: 0, col6: 0, col7: 0, col8: 0, col9: 0 };

describe("softnet_stat: all 15 columns", () => {
  it("a backlog that never runs: everything accepted waits in input_pkt_queue", async () => {
    // RPS sends all to CPU 1, whose IPI never arrives: enqueue_to_backlog accepts while qlen <= 1000
    // (1001 queued, 99 dropped on CPU 1), nothing spliced into process_queue
    const t = await rxWorld({ cpus: 2, nic, rps: rps({ cpus: [[1]] }), cost: { ipiLatency: 1e12 } }, { durationNs: 2e6 });
    t.inject(1100);
    const { report } = t.finish();
    const b = report.hosts.b!;
    expect(b.softnet[1]).toEqual({ cpu: 1, processed: 0, dropped: 99, time_squeeze: 0, ...zeros, received_rps: 0, flow_limit_count: 0, backlog_len: 1001, index: 1, input_qlen: 1001, process_qlen: 0 });
    expect(b.softnet[0]).toEqual({ cpu: 0, processed: 0, dropped: 0, time_squeeze: 0, ...zeros, received_rps: 0, flow_limit_count: 0, backlog_len: 0, index: 0, input_qlen: 0, process_qlen: 0 });
    const text = renderText(report);
    expect(text).toContain("cpu   processed  dropped  time_squeeze  4  5  6  7  8  9  received_rps  flow_limit_count  backlog_len  index  input_qlen  process_qlen");
  });

  it("process_queue and input_pkt_queue split: the first poll splices, later arrivals wait behind it", async () => {
    // The IPI reaches CPU 1 after 1 ms (one received_rps): process_backlog's first poll (quota weight_p 64)
    // splices all 250 waiting packets into process_queue and processes 64; with dev_weight 16 the next
    // poll comes only after this one's cost (softirq 200 + 64 x (backlogDequeue 40 + ip 80 + udp 200) =
    // 20680 ns). 30 packets injected 1.016 ms (after the first poll, while CPU 1's backlog NAPI is still
    // scheduled: no IPI) go to input_pkt_queue; the run ends at 1.03 ms, before the second poll.
    const t = await rxWorld({ cpus: 2, nic, rps: rps({ cpus: [[1]] }), cost: { ipiLatency: 1e6 }, sysctl: { "net.core.dev_weight": 16 } }, { durationNs: 1.03e6 });
    t.inject(250);
    t.inject(30, { at: 1.016e6 });
    const { report } = t.finish();
    expect(report.hosts.b!.softnet[1]).toEqual({ cpu: 1, processed: 64, dropped: 0, time_squeeze: 0, ...zeros, received_rps: 1, flow_limit_count: 0, backlog_len: 216, index: 1, input_qlen: 30, process_qlen: 186 });
  });
});
