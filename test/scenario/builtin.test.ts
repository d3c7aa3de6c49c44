import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BUILTIN_SCENARIOS, DEFAULT_SCENARIO, builtinScenarioNames, findBuiltinScenario, loadBuiltinScenario } from "../../src/scenario/builtin.js";
import { ScenarioError } from "../../src/scenario/errors.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";
import { runWorld } from "../tcpdata/helpers.js";

const dir = fileURLToPath(new URL("../../scenarios/", import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => f.slice(0, -5));
const FIX = "run `node scenarios/embed.mjs` to regenerate src/scenario/builtin-texts.ts";

describe("built-in registry", () => {
  it("has exactly the scenarios/*.yaml files, default first", () => {
    expect([...builtinScenarioNames()].sort(), FIX).toEqual([...files].sort());
    expect(builtinScenarioNames()[0]).toBe(DEFAULT_SCENARIO);
  });

  it("includes the scenarios the project promises", () => {
    for (const name of ["default", "accept-queue-overflow", "syn-flood-cookies-off", "syn-flood-cookies-on", "syn-flood-cookies-always", "flood-with-clients", "tcp-bulk-10g", "tcp-wan-autotuning", "tcp-slow-reader", "tcp-incast-32", "tcp-lossy-link", "tcp-reorder-link"]) {
      expect(findBuiltinScenario(name), name).toBeDefined();
    }
  });

  it.each(files)("%s: embedded text and description match the file", (name) => {
    const text = readFileSync(join(dir, `${name}.yaml`), "utf8");
    const entry = findBuiltinScenario(name)!;
    expect(entry.text, FIX).toBe(text);
    expect(entry.description, FIX).toBe(parse(text).description);
  });

  it.each(BUILTIN_SCENARIOS.map((s) => s.name))("%s validates, with its file name as its name and a one-line description", (name) => {
    const s = loadBuiltinScenario(name);
    expect(s.name).toBe(name);
    expect(s.description.length).toBeGreaterThan(10);
    expect(s.description).not.toMatch(/\n/);
    expect(s.traffic.length).toBeGreaterThan(0);
  });

  it("unknown names list the built-ins", () => {
    try {
      loadBuiltinScenario("nope");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as ScenarioError).allowed).toBe(`a built-in scenario: ${builtinScenarioNames().join(", ")}`);
    }
  });
});

describe("built-in scenarios say what they claim", () => {
  it("default: a client connecting plus a small SYN flood over one 10Gbit/50us link", () => {
    const s = loadBuiltinScenario("default");
    expect(s.links).toEqual([{ a: "client", b: "server", rate: 10e9, delay: 50_000, loss: 0, reorder: 0 }]);
    expect(s.traffic.map((t) => t.kind).sort()).toEqual(["connect", "syn-flood"]);
  });

  it("accept-queue-overflow: backlog 8, never accepting, 20 connects", () => {
    const s = loadBuiltinScenario("accept-queue-overflow");
    expect(s.hosts[0]!.sockets).toEqual([{ listen: 7000, backlog: 8, accept: { kind: "never" }, acceptDelay: 0, rcvbuf: null, readRate: { kind: "always" } }]);
    expect(s.traffic).toEqual([{ kind: "connect", from: "client", to: { host: "server", port: 7000 }, count: 20, rate: 1000, at: 0 }]);
  });

  it("syn-flood-cookies-{off,on,always} differ only in tcp_syncookies (0, 1, 2)", () => {
    const strip = (name: string) => {
      const doc = parse(findBuiltinScenario(name)!.text);
      const cookies = doc.hosts.server.sysctl["net.ipv4.tcp_syncookies"];
      delete doc.name;
      delete doc.description;
      delete doc.hosts.server.sysctl["net.ipv4.tcp_syncookies"];
      return { doc, cookies };
    };
    const off = strip("syn-flood-cookies-off");
    const on = strip("syn-flood-cookies-on");
    const always = strip("syn-flood-cookies-always");
    expect([off.cookies, on.cookies, always.cookies]).toEqual([0, 1, 2]);
    expect(on.doc).toEqual(off.doc);
    expect(always.doc).toEqual(off.doc);
  });

  it("flood-with-clients: several clients and a flooding attacker", () => {
    const s = loadBuiltinScenario("flood-with-clients");
    const senders = new Set(s.traffic.filter((t) => t.kind === "connect").map((t) => t.from));
    expect(senders.size).toBeGreaterThanOrEqual(2);
    expect(s.traffic.some((t) => t.kind === "syn-flood" && t.from === "attacker")).toBe(true);
  });
});

describe("built-in TCP data scenarios run and show what their comments claim", () => {
  const run = async (name: string) => runWorld(worldSpecFromScenario(loadBuiltinScenario(name)));

  it("tcp-slow-reader: SO_RCVBUF 64 KiB read at 10 KB/s gives zero windows, probes, and ~ initial window + 5 s x 10 KB/s", async () => {
    const s = loadBuiltinScenario("tcp-slow-reader");
    expect(s.hosts.find((h) => h.name === "receiver")!.sockets[0]).toMatchObject({ listen: 5001, rcvbuf: 65536, readRate: { kind: "rate", bytesPerSec: 10_000 } });
    const { report } = await run("tcp-slow-reader");
    expect(report.ledger.unaccounted).toBe(0);
    const rx = report.hosts.receiver!.nstat;
    expect(rx.TcpExtTCPToZeroWindowAdv).toBeGreaterThan(0);
    expect(rx.TcpExtTCPFromZeroWindowAdv).toBeGreaterThan(0);
    expect(report.hosts.sender!.nstat.TcpExtTCPWinProbe).toBeGreaterThan(0);
    const f = report.flows[0]!;
    // SO_RCVBUF doubled and locked: 2 x 65536, never grown
    expect([f.rcvbuf, f.rcvbufMax]).toEqual([131072, 131072]);
    // no more than a full receive buffer plus what 5 s of reading freed (and a segment in flight)
    expect(f.bytes).toBeLessThanOrEqual(131072 + 5 * 10_000 + 1448);
    expect(f.bytes).toBeGreaterThanOrEqual(5 * 10_000);
  });

  it("tcp-incast-32: 32 senders, drops at the receiver's 16-slot RX rings, fast retransmits, every byte delivered", async () => {
    const s = loadBuiltinScenario("tcp-incast-32");
    const t = s.traffic[0]!;
    expect(t.kind).toBe("incast");
    expect(t.kind === "incast" && t.from.length).toBe(32);
    expect(s.hosts.find((h) => h.name === "receiver")!.nic.rxRing).toBe(16);
    const { report } = await run("tcp-incast-32");
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.ledger.dropped.NIC_RX_MISSED).toBeGreaterThan(0);
    // and nothing else: the receiver's ACK of each sender's FIN is a delayed one (tcp_fin: pingpong mode) that
    // rides its own FIN (the sink closes at EOF), which the sender's full FIN_WAIT1 socket takes to TIME_WAIT
    // (before: a bare ACK first made a FIN_WAIT2 timewait sock, which dropped that FIN NOT_SPECIFIED, 32 in all)
    expect(Object.keys(report.ledger.dropped)).toEqual(["NIC_RX_MISSED"]);
    expect(report.flows).toHaveLength(32);
    for (const f of report.flows) expect(f.bytes).toBe(256_000);
    const retrans = report.flows.reduce((a, f) => a + f.retransmits, 0);
    expect(retrans).toBeGreaterThan(0);
    const fast = Object.values(report.hosts).reduce((a, h) => a + (h.nstat.TcpExtTCPFastRetrans ?? 0), 0);
    expect(fast).toBeGreaterThan(0);
  });

  it("tcp-bulk-10g and tcp-wan-autotuning: one bulk flow each, links as the comments say", () => {
    const bulk = loadBuiltinScenario("tcp-bulk-10g");
    expect(bulk.links[0]).toMatchObject({ rate: 10e9, delay: 50_000 });
    const wan = loadBuiltinScenario("tcp-wan-autotuning");
    expect(wan.links[0]).toMatchObject({ rate: 1e9, delay: 50e6 });
    for (const s of [bulk, wan]) expect(s.traffic.map((t) => t.kind)).toEqual(["bulk"]);
  });
});
