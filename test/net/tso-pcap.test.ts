// TSO on the wire: TCP's GSO skbs leave the NIC as MSS frames with rewritten headers; tshark validates
// the IPv4 and TCP checksums (payload zero-filled, the rule src/wire documents) and finds no gaps.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { PcapFileWriter } from "../../src/wire/pcap-node.js";
import { host, link, world } from "../sim/spec-helpers.js";

const TSHARK = "/usr/bin/tshark";

describe("TSO/GSO on the wire (pcap + tshark)", () => {
  for (const tso of [true, false]) {
    it(`tso ${tso}: 64 KB GSO skbs become 1448-byte segments; checksums good, sequence contiguous`, async () => {
      const spec = world(
        [
          host("a", 1, { nic: { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000, tso } }),
          host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] }),
        ],
        [link("a", "b", { rateBps: 10e9, delayNs: 20_000 })],
        [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: 400_000, at: 0 }],
        { durationNs: 5e6 },
      );
      const dir = mkdtempSync(join(tmpdir(), "skbsim-tso-"));
      const path = join(dir, "tso.pcap");
      const pcap = new PcapFileWriter(path, { zeroFillPayload: true });
      const core = await createCore(coreConfigFor(spec));
      const w = new World(core, spec, (h, t) => pcap.writeSkb(core, h, t));
      const result = w.run();
      pcap.close();
      const report = buildReport(w, result);
      expect(report.ledger.unaccounted).toBe(0);
      expect(report.pool.balanced).toBe(true);
      const off = report.hosts.a!.txOffload.eth0!;
      // 400000 B: TCP sent GSO skbs; some of them as large as tcp_tso_autosize allows (45 x 1448 at 10 Gbit / 40 us RTT)
      expect(tso ? off.tsoSkbs : off.gsoSkbs).toBeGreaterThan(0);
      expect(tso ? off.tsoSegments : off.gsoSegments).toBeGreaterThan(2 * (tso ? off.tsoSkbs : off.gsoSkbs));
      // all sent (the last, partial segment may still wait for the receiver's delayed ACK)
      expect(w.flows.values().next().value!.sender!.sndNxt).toBe(400_000);
      if (!existsSync(TSHARK)) return;
      const out = execFileSync(
        TSHARK,
        ["-r", path, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "tcp.relative_sequence_numbers:TRUE", "-Y", "ip.src == 10.0.0.1",
          "-T", "fields", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "tcp.seq", "-e", "tcp.len", "-e", "_ws.malformed", "-e", "tcp.analysis.lost_segment"],
        { encoding: "utf8" },
      );
      let next = 1;
      let data = 0;
      for (const line of out.trim().split("\n")) {
        const [ipc, tcpc, seq, len, malformed, lost] = line.split("\t");
        expect(ipc).toBe("1");
        expect(tcpc).toBe("1");
        expect(malformed ?? "").toBe("");
        expect(lost ?? "").toBe("");
        const l = Number(len);
        if (l === 0) continue;
        // every data frame is at most one MSS and starts where the previous ended: no gaps
        expect(l).toBeLessThanOrEqual(1448);
        expect(Number(seq)).toBe(next);
        next += l;
        data++;
      }
      expect(next - 1).toBe(400_000);
      expect(data).toBe(Math.ceil(400_000 / 1448));
    });
  }
});
