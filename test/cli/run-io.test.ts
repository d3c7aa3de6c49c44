// skbsim run's arguments and input files (review13b findings 5, 7, 8, 9, 10, 11, 17): output paths are
// checked before the run and a bad one exits 2; `--pcap -` and one path for both outputs are refused; a write
// failure names its option; a scenario error is printed once, as ScenarioError words it, its further problems
// on their own lines; input is read with a byte bound (/dev/zero); JSON duplicate keys are refused; control
// characters of an argument are shown escaped.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIo } from "../../src/cli/main.js";
import { readFileBounded } from "../../src/util/read-bounded.js";
import { jsonDuplicateKey, loadScenarioText } from "../../src/scenario/load.js";
import { ScenarioError } from "../../src/scenario/errors.js";

function capture(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) }, out, err };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out.join(""), err: c.err.join("") };
}

const dir = mkdtempSync(join(tmpdir(), "skbsim-runio-"));
// a scenario whose run would take a long time: the checks must come first
const LONG = join(dir, "long.yaml");
writeFileSync(LONG, "name: long\nduration: 24h\nhosts: { a: {}, b: {} }\nlinks: [{ a: a, b: b }]\ntraffic: [{ kind: udp, from: a, to: b:9, rate: 1k/s }]\n");
const SMALL = join(dir, "small.yaml");
writeFileSync(SMALL, "name: small\nduration: 1ms\nhosts: { a: { sockets: [{ listen: 7 }] }, b: {} }\nlinks: [{ a: a, b: b }]\ntraffic: [{ kind: connect, from: b, to: a:7, count: 3 }]\n");

describe("skbsim run: output files", () => {
  it("an unwritable --json or --pcap path is refused before the run, exit 2", async () => {
    const j = await cli("run", LONG, "--quiet", "--json", "/nonexistent/x.json");
    expect(j.code).toBe(2);
    expect(j.err).toBe('skbsim: --json: cannot write "/nonexistent/x.json": no such file (a writable file path, or - for standard output)\n');
    const p = await cli("run", LONG, "--quiet", "--pcap", "/nonexistent/x.pcap");
    expect(p.code).toBe(2);
    expect(p.err).toBe('skbsim: --pcap: cannot write "/nonexistent/x.pcap": no such file (a writable file path)\n');
  });

  it("--pcap - and the same path for --json and --pcap are refused", async () => {
    const a = await cli("run", SMALL, "--quiet", "--pcap", "-");
    expect(a.code).toBe(2);
    expect(a.err).toBe("skbsim: --pcap: standard output is not supported (a file path; then e.g. tshark -r FILE)\n");
    expect(existsSync("-")).toBe(false);
    const same = join(dir, "same.out");
    const b = await cli("run", SMALL, "--quiet", "--json", same, "--pcap", join(dir, ".", "same.out"));
    expect(b.code).toBe(2);
    expect(b.err).toBe(`skbsim: --pcap: ${JSON.stringify(join(dir, "same.out"))} is also the --json file (a path other than --json's)\n`);
  });

  it("a write that fails during the run names --pcap", async () => {
    const r = await cli("run", SMALL, "--quiet", "--pcap", "/dev/full");
    expect(r.code).toBe(1);
    expect(r.err).toBe("skbsim: --pcap /dev/full: cannot write: ENOSPC: no space left on device, write\n");
  });

  it("still writes --json and --pcap", async () => {
    const j = join(dir, "r.json");
    const p = join(dir, "r.pcap");
    expect((await cli("run", SMALL, "--quiet", "--json", j, "--pcap", p)).code).toBe(0);
    expect(JSON.parse(readFileSync(j, "utf8")).scenario).toBe("small");
    expect(readFileSync(p).length).toBeGreaterThan(24);
  });
});

describe("skbsim run: scenario errors", () => {
  it("prints the ScenarioError once, further problems on their own lines", async () => {
    const f = join(dir, "bad.yaml");
    writeFileSync(f, "name: P\nhosts: { a: { x: 1 } }\n");
    const r = await cli("run", f);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `skbsim: ${f}: name: "P" is not allowed (name: 1..64 characters a-z, 0-9, -)\n` +
        "  also: duration is missing (duration: a number and a unit ns, us, ms, s, min or h, e.g. 2s, 1.5ms, 50us, 100ns; > 0ns, ≤ 24h)\n" +
        "  also: hosts.a.x: 1 is not allowed (unknown key; allowed keys: cpus, memory, nic, addr, sysctl, sockets, rps, cost, apps)\n",
    );
    const m = await cli("run", "./nosuch.yaml");
    expect(m.err).toBe('skbsim: ./nosuch.yaml: (document): "./nosuch.yaml" is not allowed (a readable scenario file: no such file (ENOENT))\n');
  });

  it("shows an argument's control characters escaped", async () => {
    const r = await cli("--x\u001b[31m");
    expect(r.code).toBe(2);
    expect(r.err).toBe("skbsim: --x\\u001b[31m: unknown option (a command first (run, scenarios, rss, kernel-check), or --help, --version)\n");
  });
});

describe("bounded input", () => {
  it("/dev/zero as a scenario or a flows file is refused after the bound, not read to the end", async () => {
    const r = await cli("run", "/dev/zero", "--quiet");
    expect(r.code).toBe(2);
    expect(r.err).toBe('skbsim: /dev/zero: (document): "more than 1048576 bytes" is not allowed (a scenario file of at most 1048576 bytes)\n');
    const f = await cli("rss", "--flows-file", "/dev/zero");
    expect(f.code).toBe(2);
    expect(f.err).toBe('skbsim: --flows-file: "/dev/zero" holds more than 67108864 bytes (a file of at most 67108864 bytes, one FLOW per line)\n');
  });

  it("readFileBounded keeps max bytes and says whether there was more", async () => {
    const f = join(dir, "ten");
    writeFileSync(f, "0123456789");
    expect(await readFileBounded(f, 10)).toEqual({ bytes: Buffer.from("0123456789"), tooLarge: false });
    expect(await readFileBounded(f, 9)).toEqual({ bytes: Buffer.from("012345678"), tooLarge: true });
  });
});

describe("JSON duplicate keys", () => {
  it("are refused with the key and its line, as YAML refuses them", () => {
    let e: unknown;
    try {
      loadScenarioText('{"name":"p",\n"duration":"1ms",\n"duration":"24h","hosts":{"a":{}}}', "d.json");
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ScenarioError);
    expect((e as ScenarioError).allowed).toBe('valid JSON at line 3: the key "duration" appears twice in one object (keys must be unique)');
  });

  it("compare decoded keys, per object, and skip string values", () => {
    expect(jsonDuplicateKey('{"a":1,"\\u0061":2}')).toEqual({ key: "a", line: 1 });
    expect(jsonDuplicateKey('{"a":{"a":1},"b":["a","a"],"c":"a"}')).toBeNull();
    expect(jsonDuplicateKey('{"x":"\\"a\\":", "y": {"k":1,\n "k" : 2}}')).toEqual({ key: "k", line: 2 });
  });
});
