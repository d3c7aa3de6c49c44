import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type CliIo } from "../../src/cli/main.js";
import { readPcapFile } from "../../src/wire/pcap-node.js";

const TSHARK = "/usr/bin/tshark";

function capture(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) }, out, err };
}

describe("skbsim run --pcap", () => {
  it("writes every wire frame with its original length; tshark reads it cleanly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "skbsim-pcap-"));
    const pcap = join(dir, "run.pcap");
    const json = join(dir, "run.json");
    const { io } = capture();
    const code = await main(["run", "accept-queue-overflow", "--quiet", "--pcap", pcap, "--json", json], io);
    expect(code).toBe(0);
    const report = JSON.parse((await import("node:fs")).readFileSync(json, "utf8"));
    const wirePackets = report.links.reduce((s: number, l: { packets: number }) => s + l.packets, 0);
    const { records } = readPcapFile(pcap);
    expect(records.length).toBe(wirePackets);
    for (const r of records) expect(r.caplen).toBeLessThanOrEqual(r.len);
    if (!existsSync(TSHARK)) {
      console.log("skipping the tshark check: /usr/bin/tshark is not installed");
      return;
    }
    const fields = execFileSync(
      TSHARK,
      ["-r", pcap, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-T", "fields", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "tcp.stream", "-e", "tcp.flags", "-e", "tcp.seq", "-e", "tcp.ack", "-e", "_ws.malformed"],
      { encoding: "utf8" },
    );
    const lines = fields.trim().split("\n");
    expect(lines.length).toBe(wirePackets);
    const byStream = new Map<string, string[]>();
    for (const line of lines) {
      const [ipCheck, tcpCheck, stream, flags, seq, ack, malformed] = line.split("\t");
      expect(ipCheck).toBe("1"); // 1 = good (0 bad, 2 unverified)
      expect(tcpCheck).toBe("1");
      expect(malformed ?? "").toBe("");
      byStream.set(stream!, [...(byStream.get(stream!) ?? []), `${flags} ${seq} ${ack}`]);
    }
    // The 9 clients that fit the accept queue: SYN, SYN-ACK, ACK with the
    // relative sequence numbers tshark derives from a recognised handshake.
    const complete = [...byStream.values()].filter((v) => v.length === 3);
    expect(complete.length).toBe(9);
    for (const v of complete) expect(v).toEqual(["0x0002 0 0", "0x0012 0 1", "0x0010 1 1"]);
    // The 11 others: a SYN and its retransmission 1 s later, both dropped.
    const dropped = [...byStream.values()].filter((v) => v.length !== 3);
    expect(dropped.length).toBe(11);
    for (const v of dropped) expect(v).toEqual(["0x0002 0 0", "0x0002 0 0"]);
  });

  it("refuses a bad seed and an unknown scenario with exit 2 and one line", async () => {
    const a = capture();
    expect(await main(["run", "default", "--seed", "-1"], a.io)).toBe(2);
    expect(a.err.join("")).toMatch(/^skbsim: --seed: .* \(an integer 0\.\.4294967295\)\n$/);
    const b = capture();
    expect(await main(["run", "no-such-scenario"], b.io)).toBe(2);
    expect(b.err.join("").split("\n").filter(Boolean)).toHaveLength(1);
  });
});
