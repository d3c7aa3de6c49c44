// Every nstat counter name the model registers (`.id("Name")` literals in src/) must be a name that
// Linux 6.12's /proc/net/{snmp,netstat,snmp6} prints, i.e. one of net/ipv4/proc.c: snmp4_ipstats_list (Ip),
// snmp4_ipextstats_list (IpExt), snmp4_tcp_list (Tcp), snmp4_udp_list (Udp, UdpLite), snmp4_net_list
// (TcpExt), icmpmibmap (Icmp) and net/ipv6/proc.c: snmp6_ipstats_list, snmp6_udp6_list,
// snmp6_udplite6_list. linux-6.12-nstat-names.txt is that list, generated from the 6.12 source tree.
// review14b #3: the model had TcpExtTCPTimeoutRehash (6.12: "TcpTimeoutRehash") and IpReasmOverlaps
// (6.12: IPSTATS_MIB_REASM_OVERLAPS is in snmp4_ipextstats_list -> IpExtReasmOverlaps).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const LINUX = new Set(readFileSync(new URL("./linux-6.12-nstat-names.txt", import.meta.url), "utf8").split("\n").filter((l) => l !== ""));

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

describe("nstat names", () => {
  it("every counter name registered in src/ is one Linux 6.12 prints", () => {
    const bad: string[] = [];
    let n = 0;
    for (const f of tsFiles(SRC)) {
      for (const m of readFileSync(f, "utf8").matchAll(/\.id\("([A-Za-z0-9_]+)"\)/g)) {
        n++;
        if (!LINUX.has(m[1]!)) bad.push(`${f.slice(SRC.length)}: ${m[1]}`);
      }
    }
    expect(n).toBeGreaterThan(100);
    expect(bad).toEqual([]);
  });
});
