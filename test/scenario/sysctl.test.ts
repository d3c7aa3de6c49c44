import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../src/scenario/errors.js";
import {
  SYSCTLS,
  SYSCTL_NAMES,
  closeSysctlNames,
  defaultSysctls,
  editDistance,
  parseSysctl,
  unknownSysctlHint,
} from "../../src/scenario/sysctl.js";

// Linux 6.12 defaults, read from linux-source-6.12 (file: symbol), not from the table under test.
const LINUX_6_12_DEFAULTS: Record<string, unknown> = {
  "net.core.somaxconn": 4096, // include/linux/socket.h SOMAXCONN
  "net.core.netdev_max_backlog": 1000, // net/core/hotdata.c .max_backlog
  "net.core.netdev_budget": 300, // net/core/hotdata.c .netdev_budget
  "net.core.netdev_budget_usecs": 2000, // 2 * USEC_PER_SEC / HZ, HZ=1000
  "net.core.dev_weight": 64, // net/core/dev.c weight_p
  "net.core.rps_sock_flow_entries": 0, // no table until written
  "net.core.rmem_default": 212992, // SKB_TRUESIZE(256) * 256 = (256 + 256 + 320) * 256
  "net.core.rmem_max": 212992,
  "net.core.wmem_default": 212992,
  "net.core.wmem_max": 212992,
  "net.core.default_qdisc": "pfifo_fast", // net/sched/sch_generic.c default_qdisc_ops
  "net.ipv4.tcp_syncookies": 1, // tcp_sk_init
  "net.ipv4.tcp_max_syn_backlog": 2048, // max(128, 262144 / 128)
  "net.ipv4.tcp_synack_retries": 5, // TCP_SYNACK_RETRIES
  "net.ipv4.tcp_syn_retries": 6, // TCP_SYN_RETRIES
  "net.ipv4.tcp_abort_on_overflow": 0,
  "net.ipv4.tcp_rmem": [4096, 131072, 6291456], // tcp_init: PAGE_SIZE, 131072, 6 MiB cap
  "net.ipv4.tcp_wmem": [4096, 16384, 4194304], // tcp_init: PAGE_SIZE, 16 KiB, 4 MiB cap
  "net.ipv4.tcp_moderate_rcvbuf": 1,
  "net.ipv4.tcp_timestamps": 1,
  "net.ipv4.tcp_sack": 1,
  "net.ipv4.tcp_window_scaling": 1,
  "net.ipv4.tcp_min_tso_segs": 2,
  "net.ipv4.tcp_limit_output_bytes": 1048576, // 16 * 65536
  "net.ipv4.tcp_notsent_lowat": 4294967295, // UINT_MAX
  "net.ipv4.ipfrag_high_thresh": 4194304, // 4 * 1024 * 1024
  "net.ipv4.ipfrag_low_thresh": 3145728, // 3 * 1024 * 1024
  "net.ipv4.ipfrag_time": 30, // IP_FRAG_TIME / HZ
  "net.ipv4.tcp_reordering": 3, // TCP_FASTRETRANS_THRESH
  "net.ipv4.tcp_max_reordering": 300,
};

function errorOf(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("sysctl table", () => {
  it("has the Linux 6.12 default of every required sysctl", () => {
    const d = defaultSysctls() as Record<string, unknown>;
    for (const [name, value] of Object.entries(LINUX_6_12_DEFAULTS)) expect([name, d[name]]).toEqual([name, value]);
  });

  it("every default is accepted by its own range", () => {
    const d = defaultSysctls() as Record<string, unknown>;
    for (const name of SYSCTL_NAMES) expect(parseSysctl(name, d[name], name)).toEqual(d[name]);
  });

  it("names are Linux's dotted names", () => {
    // sysctls, and module parameters as the kernel command line spells them (tcp_cubic.hystart)
    for (const name of SYSCTL_NAMES) expect(name).toMatch(/^(net\.(core|ipv4)|tcp_cubic)\.[a-z0-9_]+$/);
  });

  it("defaultSysctls returns independent copies", () => {
    const a = defaultSysctls();
    a["net.ipv4.tcp_rmem"][2] = 1;
    expect(defaultSysctls()["net.ipv4.tcp_rmem"][2]).toBe(6291456);
    expect(SYSCTLS["net.ipv4.tcp_rmem"].default[2]).toBe(6291456);
  });
});

describe("parseSysctl", () => {
  const P = 'hosts.server.sysctl["x"]';

  it.each([
    ["net.core.somaxconn", 0, 0],
    ["net.core.somaxconn", 2 ** 31 - 1, 2 ** 31 - 1],
    ["net.ipv4.tcp_syncookies", 2, 2],
    ["net.core.rps_sock_flow_entries", 1000, 1024], // rounded up to a power of 2, as rps_sock_flow_sysctl stores it
    ["net.core.rps_sock_flow_entries", 32768, 32768],
    ["net.core.rps_sock_flow_entries", 1, 1],
    ["net.core.rps_sock_flow_entries", 2 ** 29, 2 ** 29],
    ["net.core.flow_limit_table_len", 8192, 8192],
    ["net.ipv4.tcp_rmem", "4096 87380 6291456", [4096, 87380, 6291456]],
    ["net.ipv4.tcp_rmem", "4096\t131072   33554432", [4096, 131072, 33554432]],
    ["net.ipv4.tcp_wmem", [1, 2, 3], [1, 2, 3]],
    ["net.core.default_qdisc", "fq", "fq"],
    ["net.core.default_qdisc", "fq_codel", "fq_codel"],
    ["net.ipv4.tcp_notsent_lowat", 16384, 16384],
    ["net.core.netdev_budget_usecs", 8000, 8000],
    ["net.ipv4.tcp_max_tw_buckets", -1, -1], // proc_dointvec: any int (inet_twsk_alloc: no limit)
    ["net.ipv4.tcp_max_tw_buckets", -(2 ** 31), -(2 ** 31)],
  ])("%s = %j -> %j", (name, value, stored) => {
    expect(parseSysctl(name, value, P)).toEqual(stored);
  });

  it.each([
    ["net.core.somaxconn", -1, "integer 0..2147483647"],
    ["net.core.somaxconn", 2 ** 31, "integer 0..2147483647"],
    ["net.core.somaxconn", 1.5, "integer 0..2147483647"],
    ["net.core.somaxconn", "4096", "integer 0..2147483647"], // numbers, not strings
    ["net.ipv4.tcp_syncookies", 3, "integer 0..2"],
    ["net.ipv4.tcp_syncookies", true, "integer 0..2"],
    ["net.ipv4.tcp_sack", 2, "integer 0..1"],
    ["net.ipv4.tcp_syn_retries", 0, "integer 1..127"], // tcp_syn_retries_min
    ["net.ipv4.tcp_syn_retries", 128, "integer 1..127"], // MAX_TCP_SYNCNT
    ["net.core.netdev_budget_usecs", 1999, "integer 2000..2147483647"],
    ["net.core.dev_weight", 0, "integer 1..2147483647"],
    ["net.core.rps_sock_flow_entries", 2 ** 29 + 1, "integer 0..536870912"], // > 1<<29: EINVAL
    ["net.core.flow_limit_table_len", 1000, "integer 1..1073741824, a power of 2"],
    ["net.core.rmem_max", 2303, "integer 2304..2147483647"], // SOCK_MIN_RCVBUF
    ["net.core.wmem_max", 4607, "integer 4608..2147483647"], // SOCK_MIN_SNDBUF
    ["net.ipv4.tcp_rmem", "4096 131072", 'three integers 4096..2147483647 as "min default max" or [min, default, max]'],
    ["net.ipv4.tcp_rmem", "1 2 3", 'three integers 4096..2147483647 as "min default max" or [min, default, max]'],
    ["net.ipv4.tcp_rmem", "4096 131072 6291456 1", 'three integers 4096..2147483647 as "min default max" or [min, default, max]'],
    ["net.ipv4.tcp_rmem", "4096 13107x 6291456", 'three integers 4096..2147483647 as "min default max" or [min, default, max]'],
    ["net.ipv4.tcp_wmem", 4096, 'three integers 1..2147483647 as "min default max" or [min, default, max]'],
    ["net.core.default_qdisc", "htb", "one of pfifo_fast, fq, fq_codel"],
    ["net.core.default_qdisc", 1, "one of pfifo_fast, fq, fq_codel"],
    ["net.ipv4.ipfrag_time", 2147484, "integer 0..2147483"], // INT_MAX / HZ
    ["net.ipv4.tcp_max_tw_buckets", -(2 ** 31) - 1, "integer -2147483648..2147483647"], // not an int
  ])("%s = %j refused (%s)", (name, value, allowed) => {
    const e = errorOf(() => parseSysctl(name, value, P));
    expect(e.path).toBe(P);
    expect(e.value).toBe(value);
    expect(e.allowed).toBe(allowed);
  });
});

describe("unknown sysctl names", () => {
  it.each([
    ["net.core.somaxcon", "net.core.somaxconn"],
    ["net.ipv4.somaxconn", "net.core.somaxconn"],
    ["somaxconn", "net.core.somaxconn"],
    ["net.ipv4.tcp_syncookie", "net.ipv4.tcp_syncookies"],
    ["tcp_syncookies", "net.ipv4.tcp_syncookies"],
    ["net/ipv4/tcp_rmem", "net.ipv4.tcp_rmem"],
    ["net.core.netdev_budget_usec", "net.core.netdev_budget_usecs"],
    ["NET.CORE.SOMAXCONN", "net.core.somaxconn"],
  ])("%s suggests %s", (name, suggestion) => {
    expect(closeSysctlNames(name)).toContain(suggestion);
    const e = errorOf(() => parseSysctl(name, 1, "p"));
    expect(e.allowed).toContain(`did you mean ${closeSysctlNames(name).join(" or ")}?`);
    expect(e.allowed).toContain(suggestion);
  });

  it.each(["kernel.pid_max", "vm.swappiness", "constructor", "__proto__", "toString", "", "x".repeat(5000)])("%s is unknown, without a crash", (name) => {
    const e = errorOf(() => parseSysctl(name, 1, "p"));
    expect(e.allowed).toMatch(/^unknown sysctl/);
  });

  it("says where the list is when nothing is close", () => {
    expect(unknownSysctlHint("kernel.pid_max")).toMatch(/^unknown sysctl; known: \d+ names under net\.core\.\* and net\.ipv4\.\*/);
  });

  it("edit distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "abc")).toBe(0);
  });
});

describe("README.md (Scenario files)", () => {
  it("lists every sysctl with its default", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const d = defaultSysctls() as Record<string, unknown>;
    for (const name of SYSCTL_NAMES) {
      const v = d[name];
      const shown = Array.isArray(v) ? `"${v.join(" ")}"` : String(v);
      expect(doc, name).toContain(`| \`${name}\` | ${shown} |`);
    }
  });
});

describe("net.ipv4.tcp_reordering against tcp_max_reordering (sysctl_net_ipv4.c: only tcp_reordering's write is bounded)", () => {
  const doc = (sysctl: string) => `name: r\nduration: 1ms\nhosts:\n  a:\n    sysctl: { ${sysctl} }\n  b: {}\nlinks:\n  - { a: a, b: b }\ntraffic:\n  - { kind: connect, from: a, to: b:80 }\n`;
  it("lowering tcp_max_reordering alone below the default tcp_reordering (3) is accepted, as the kernel's write is", async () => {
    const { loadScenarioText } = await import("../../src/scenario/load.js");
    const text = doc("net.ipv4.tcp_max_reordering: 2").replace("  b: {}\n", "  b:\n    sockets: [{ listen: 80 }]\n");
    expect(loadScenarioText(text, "r.yaml").hosts[0]!.sysctl["net.ipv4.tcp_max_reordering"]).toBe(2);
  });
});
