// skbsim rss in process: main(argv, io) with captured output. Expected hashes
// are the RSS verification vectors (82599 datasheet 7.1.2.8.3, DPDK
// test_thash.c; ../shared/linux/rx-tx-path.md 10.1); indices and queues are
// derived by hand: index = hash & (size - 1), queue = reta[index].
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../src/cli/main.js";
import { VECTOR_FLOWS } from "../../src/cli/demo-flows.js";
import { IXGBE_4, I40E_14, MLX5_8, ethtoolX, defaultFill, TOEPLITZ } from "./ethtool-samples.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(...argv: string[]): Promise<Run> {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (s) => void (out += s), stderr: (s) => void (err += s) };
  const code = await main(argv, io);
  return { code, out, err };
}

async function json(...argv: string[]): Promise<{ flow: string; hash: string; index: number; queue: number }[]> {
  const r = await cli("rss", "--json", ...argv);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return r.out.trimEnd().split("\n").map((l) => JSON.parse(l));
}

const dir = mkdtempSync(join(tmpdir(), "skbsim-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const V1 = VECTOR_FLOWS[0]!; // 66.9.149.187:2794-161.142.100.80:1766
const V6 = VECTOR_FLOWS[5]!; // [3ffe:2501:200:1fff::7]:2794-[3ffe:2501:200:3::1]:1766

// Columns "IPv4/IPv6 only" and "with TCP ports" of the verification table.
const L3 = ["0x323e8fc2", "0xd718262a", "0xd2d0a5de", "0x82989176", "0x5d1809c5", "0x2cc18cd5", "0x0f0c461c", "0x4b61e985"];
const L4 = ["0x51ccc178", "0xc626b0ea", "0x5c2b394a", "0xafc7327f", "0x10e828a2", "0x40207d3d", "0xdde51bbf", "0x02d1feef"];

describe("skbsim rss: verification vectors", () => {
  it("vector 1 with 4 queues: hash 0x51ccc178, index 120, queue 0", async () => {
    expect(await json("--queues", "4", V1)).toEqual([{ flow: V1, hash: "0x51ccc178", index: 120, queue: 0 }]);
  });
  it("vector 1, --l3: 0x323e8fc2 (index 0x42 = 66, queue 66 % 4 = 2)", async () => {
    expect(await json("--queues", "4", "--l3", V1)).toEqual([{ flow: V1, hash: "0x323e8fc2", index: 66, queue: 2 }]);
  });
  it("vector 6 (IPv6): 0x40207d3d, index 61, queue 1", async () => {
    expect(await json("--queues", "4", V6)).toEqual([{ flow: V6, hash: "0x40207d3d", index: 61, queue: 1 }]);
  });
  it("all eight vectors, 4-tuple and 2-tuple, in one burst", async () => {
    expect((await json(...VECTOR_FLOWS)).map((r) => r.hash)).toEqual(L4);
    expect((await json("--l3", ...VECTOR_FLOWS)).map((r) => r.hash)).toEqual(L3);
    const portless = VECTOR_FLOWS.map((f) => f.replace(/:\d+-/, "-").replace(/:\d+$/, ""));
    const r = await json("--l3", ...portless);
    expect(r.map((x) => x.hash)).toEqual(L3);
    expect(r[0]!.flow).toBe("66.9.149.187-161.142.100.80");
  });
  it("the spec's queue predictions (128 entries, 4 rings)", async () => {
    const r = await json(VECTOR_FLOWS[1]!, VECTOR_FLOWS[3]!);
    expect(r.map((x) => [x.index, x.queue])).toEqual([
      [106, 2],
      [127, 3],
    ]);
  });
  it("reverse direction hashes differently (Toeplitz is asymmetric): 0xfde799b2", async () => {
    expect((await json("161.142.100.80:1766-66.9.149.187:2794"))[0]!.hash).toBe("0xfde799b2");
  });
  it("more flows than one burst (256 skbs) come back in order", async () => {
    const many = Array.from({ length: 600 }, (_, i) => VECTOR_FLOWS[i % 8]!);
    const r = await json(...many);
    expect(r).toHaveLength(600);
    expect(r.map((x) => x.hash)).toEqual(many.map((_, i) => L4[i % 8]));
  });
});

describe("skbsim rss: key and table", () => {
  it("--key in either form gives the same answer as the default key", async () => {
    const k = "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa";
    expect((await json("--key", k, V1))[0]!.hash).toBe("0x51ccc178");
    expect((await json("--key", k.match(/../g)!.join(":"), V1))[0]!.hash).toBe("0x51ccc178");
  });
  it("an all-zero key hashes everything to 0 (entry 0)", async () => {
    const r = await json("--key", "00".repeat(40), "--reta", "3 2 1 0", V1, V6);
    expect(r.map((x) => [x.hash, x.index, x.queue])).toEqual([
      ["0x00000000", 0, 3],
      ["0x00000000", 0, 3],
    ]);
  });
  it("a 4-byte --key: input 128.0.0.0:0-0.0.0.0:0 has only bit 0 set, so the hash is the key's first window, the key itself", async () => {
    expect((await json("--key", "12345678", "128.0.0.0:0-0.0.0.0:0"))[0]!.hash).toBe("0x12345678");
  });
  it("--reta: an explicit table, index = hash & (size - 1)", async () => {
    // 0x51ccc178 & 3 = 0 -> entry 0; 0x40207d3d & 3 = 1 -> entry 1.
    const r = await json("--reta", "3,2 1 0", V1, V6);
    expect(r.map((x) => [x.index, x.queue])).toEqual([
      [0, 3],
      [1, 2],
    ]);
  });
  it("--reta-size and --queues: the default fill i % queues", async () => {
    // 0x51ccc178 & 511 = 376; 376 % 14 = 12.
    expect(await json("--reta-size", "512", "--queues", "14", V1)).toEqual([{ flow: V1, hash: "0x51ccc178", index: 376, queue: 12 }]);
    expect((await json("--queues", "1", V1))[0]!.queue).toBe(0);
  });
});

describe("skbsim rss --ethtool", () => {
  it("128 entries / 4 rings (ixgbe-style): as the defaults", async () => {
    expect(await json("--ethtool", file("ixgbe.txt", IXGBE_4), V1)).toEqual([{ flow: V1, hash: "0x51ccc178", index: 120, queue: 0 }]);
  });
  it("512 entries / 14 rings (i40e-style): index 376, queue 12", async () => {
    expect((await json("--ethtool", file("i40e.txt", I40E_14), V1))[0]).toMatchObject({ index: 376, queue: 12 });
  });
  it("256 entries, reweighted (mlx5-style): index 120 lies in queue 5's block 96..127", async () => {
    expect((await json("--ethtool", file("mlx5.txt", MLX5_8), V1))[0]).toMatchObject({ index: 120, queue: 5 });
  });
  it("the file's zero key is used, and --key overrides it", async () => {
    const p = file("zero.txt", ethtoolX({ dev: "enp2s0f0", rings: 4, table: defaultFill(128, 4), key: Array(40).fill("00").join(":"), funcs: TOEPLITZ }));
    expect((await json("--ethtool", p, V1))[0]).toMatchObject({ hash: "0x00000000", index: 0, queue: 0 });
    const k = "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa";
    expect((await json("--ethtool", p, "--key", k, V1))[0]).toMatchObject({ hash: "0x51ccc178", index: 120, queue: 0 });
  });
  it("--reta overrides the file's table; --queues rebuilds the default fill over its size", async () => {
    const p = file("i40e2.txt", I40E_14);
    expect((await json("--ethtool", p, "--reta", "7 7 7 7", V1))[0]!.queue).toBe(7);
    // 512 entries kept, refilled i % 4: 376 % 4 = 0.
    expect((await json("--ethtool", p, "--queues", "4", V1))[0]).toMatchObject({ index: 376, queue: 0 });
  });
  it("a device without a table: default fill over its rings, notes on stderr", async () => {
    const r = await cli("rss", "--ethtool", file("vm.txt", ethtoolX({ dev: "eth0", rings: 2, table: null, key: null, funcs: null })), V1);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0x51ccc178 +120 +0\n/);
    expect(r.err).toContain("skbsim: note: ");
    expect(r.err).toContain("no indirection table");
  });
  it("a hash function other than toeplitz is refused with file:line", async () => {
    const p = file("xor.txt", ethtoolX({ dev: "ens4", rings: 8, table: defaultFill(8, 8), key: null, funcs: { toeplitz: false, xor: true, crc32: false } }));
    const r = await cli("rss", "--ethtool", p, V1);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`skbsim: ${p}:7: the hash function is xor (only toeplitz is modelled)\n`);
  });
});

describe("skbsim rss: output", () => {
  it("text: a description line, an aligned table, and the per-queue spread", async () => {
    const r = await cli("rss", V1, V6);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.split("\n");
    expect(lines[0]).toBe(
      "toeplitz over src|dst|sport|dport (4-tuple); key 6d:5a:56:da:…:be:ac:01:fa (40 bytes, Microsoft sample key); RETA 128 entries over 4 queues (default fill i % 4)",
    );
    expect(lines.slice(1, 5)).toEqual([
      "",
      "FLOW                                                    HASH        INDEX  QUEUE",
      "66.9.149.187:2794-161.142.100.80:1766                   0x51ccc178    120      0",
      "[3ffe:2501:200:1fff::7]:2794-[3ffe:2501:200:3::1]:1766  0x40207d3d     61      1",
    ]);
    expect(lines.slice(5)).toEqual([
      "",
      "QUEUE  FLOWS   SHARE",
      `    0      1   50.0%  ${"#".repeat(40)}`,
      `    1      1   50.0%  ${"#".repeat(40)}`,
      "    2      0    0.0%",
      "    3      0    0.0%",
      "",
    ]);
  });
  it("text: no spread for a single flow", async () => {
    const r = await cli("rss", V1);
    expect(r.out).not.toContain("SHARE");
  });
  it("--json: one object per line, hash as 8 hex digits", async () => {
    const r = await cli("rss", "--json", "--key", "00".repeat(40), V1, V6);
    expect(r.out).toBe(
      `{"flow":"${V1}","hash":"0x00000000","index":0,"queue":0}\n` +
        `{"flow":"[3ffe:2501:200:1fff::7]:2794-[3ffe:2501:200:3::1]:1766","hash":"0x00000000","index":0,"queue":0}\n`,
    );
  });
  it("--demo: vectors plus 64 generated flows over 4 queues", async () => {
    const r = await cli("rss", "--demo");
    expect(r.code).toBe(0);
    expect(r.out.match(/^\S+ +0x[0-9a-f]{8} +\d+ +\d$/gm)).toHaveLength(72);
    expect(r.out).toMatch(/^66\.9\.149\.187:2794-161\.142\.100\.80:1766 +0x51ccc178 +120 +0$/m);
    const spread = r.out.split("QUEUE  FLOWS   SHARE\n")[1]!.trimEnd().split("\n");
    expect(spread.map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([0, 1, 2, 3]);
    expect(spread.reduce((a, l) => a + Number(l.trim().split(/\s+/)[1]), 0)).toBe(72);
    expect((await cli("rss", "--demo")).out).toBe(r.out);
  });
  it("--flows-file: comments and blank lines", async () => {
    const p = file("flows.txt", `# web clients\n\n${V1}   # vector 1\n  ${V6}\n`);
    expect((await json("--flows-file", p)).map((x) => x.hash)).toEqual(["0x51ccc178", "0x40207d3d"]);
  });
});

describe("skbsim rss: bad input is exit 2 with one line naming the argument", () => {
  const cases: [string, string[], string][] = [
    ["no flows", [], "skbsim: FLOW: none given ("],
    ["flow without '-'", ["1.2.3.4:80"], 'skbsim: flow "1.2.3.4:80": has no \'-\''],
    ["port 70000", ["1.2.3.4:80-5.6.7.8:70000"], 'skbsim: flow "1.2.3.4:80-5.6.7.8:70000": destination port 70000 is out of range (ports 0..65535)'],
    ["mixed families", ["1.2.3.4:80-[::1]:80"], 'skbsim: flow "1.2.3.4:80-[::1]:80": mixes IPv4 source and IPv6 destination (both ends IPv4 or both IPv6)'],
    ["unbracketed IPv6", ["fe80::1:80-fe80::2:443"], 'skbsim: flow "fe80::1:80-fe80::2:443": source "fe80::1:80" looks like an unbracketed IPv6 address'],
    ["bad address", ["1.2.3:80-5.6.7.8:1"], 'skbsim: flow "1.2.3:80-5.6.7.8:1": source address "1.2.3" is not an IPv4 address'],
    ["port-less flow without --l3", ["1.2.3.4-5.6.7.8"], 'skbsim: flow "1.2.3.4-5.6.7.8": has no ports for the 4-tuple hash (SRC:SPORT-DST:DPORT, or --l3'],
    ["bad hex key", ["--key", "6d:5a:zz:da", V1], 'skbsim: --key: "zz" is not a hex byte ('],
    ["key too long (53 bytes)", ["--key", "ab".repeat(53), V1], "skbsim: --key: 53 bytes is too long (4..52 bytes, NETDEV_RSS_KEY_LEN)"],
    ["key too short", ["--key", "abcd", V1], "skbsim: --key: 2 bytes is too short (4..52 bytes"],
    ["reta not a power of two", ["--reta", "0 1 2", V1], "skbsim: --reta: has 3 entries, not a power of two ("],
    ["reta entry 65536", ["--reta", "0 65536", V1], "skbsim: --reta: entry 1 is 65536 (queues 0..65535 (queue_mapping is a u16))"],
    ["reta entry beyond --queues", ["--queues", "2", "--reta", "0 1 2 1", V1], "skbsim: --reta: entry 2 is 2 (queues 0..1 with --queues 2)"],
    ["reta entry not a number", ["--reta", "0 x", V1], 'skbsim: --reta: entry 1 "x" is not a queue number ('],
    ["reta with reta-size", ["--reta", "0 1", "--reta-size", "2", V1], "skbsim: --reta-size: conflicts with --reta ("],
    ["reta-size not a power of two", ["--reta-size", "100", V1], "skbsim: --reta-size: 100 is not a power of two ("],
    ["reta-size too big", ["--reta-size", "131072", V1], "skbsim: --reta-size: 131072 is out of range (an integer 1..65536, a power of two)"],
    ["queues 0", ["--queues", "0", V1], "skbsim: --queues: 0 is out of range (an integer 1..65535)"],
    ["queues 65536", ["--queues", "65536", V1], "skbsim: --queues: 65536 is out of range (an integer 1..65535)"],
    ["queues not a number", ["--queues", "four", V1], 'skbsim: --queues: "four" is not a decimal integer (an integer 1..65535)'],
    ["unknown option", ["--queue", "4", V1], "skbsim: --queue: unknown option (did you mean --queues? skbsim rss options: "],
    ["missing value", [V1, "--key"], "skbsim: --key: needs a value (--key HEX)"],
    ["missing flows file", ["--flows-file", "/nonexistent/flows.txt"], 'skbsim: --flows-file: cannot read "/nonexistent/flows.txt": no such file (a readable file, one FLOW per line)'],
    ["missing ethtool file", ["--ethtool", "/nonexistent/x.txt", V1], 'skbsim: --ethtool: cannot read "/nonexistent/x.txt": no such file ('],
    ["demo with flows", ["--demo", V1], "skbsim: --demo: brings its own flows ("],
    ["flag with a value", ["--json=1", V1], 'skbsim: --json: takes no value, got "1" (give --json alone)'],
  ];
  it.each(cases)("%s", async (_name, argv, start) => {
    const r = await cli("rss", ...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.endsWith("\n")).toBe(true);
    expect(r.err.split("\n")).toHaveLength(2);
    expect(r.err.startsWith(start)).toBe(true);
    expect(r.err).toMatch(/^skbsim: .+: .+ \(.+\)\n$/);
    expect(r.err).not.toMatch(/\bat .+:\d+:\d+/);
  });
  it("a bad line in --flows-file names file:line", async () => {
    const p = file("bad.txt", `${V1}\n# ok\n\n1.2.3.4:80-5.6.7.8:99999\n`);
    const r = await cli("rss", "--flows-file", p);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`skbsim: ${p}:4: flow "1.2.3.4:80-5.6.7.8:99999": destination port 99999 is out of range (ports 0..65535)\n`);
  });
  it("a flows file with no flows", async () => {
    const r = await cli("rss", "--flows-file", file("empty.txt", "# nothing\n\n"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("holds no flows");
  });
});

const NAMES = "run, scenarios, rss, kernel-check";

describe("skbsim: dispatch, help, version", () => {
  it("--help lists the commands; rss --help and help rss show the command help", async () => {
    const g = await cli("--help");
    expect(g.code).toBe(0);
    expect(g.out).toMatch(/^Usage: skbsim COMMAND/);
    expect(g.out).toMatch(/\n {2}rss +which RX queue/);
    for (const c of ["run", "scenarios", "kernel-check"]) expect(g.out).toContain(`\n  ${c} `);
    const h = await cli("rss", "--help");
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^Usage: skbsim rss/);
    expect(h.out).toContain("--reta-size N");
    expect((await cli("help", "rss")).out).toBe(h.out);
    expect((await cli("rss", "-h", "--bogus")).code).toBe(2); // options are checked before -h acts
  });
  it("--version prints the package version", async () => {
    const r = await cli("--version");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^skbsim \d+\.\d+\.\d+/);
  });
  it.each([
    [[], `skbsim: command: missing (one of ${NAMES}; see skbsim --help)\n`],
    [["frob"], `skbsim: frob: unknown command (one of ${NAMES}; see skbsim --help)\n`],
    [["--frob"], `skbsim: --frob: unknown option (a command first (${NAMES}), or --help, --version)\n`],
    [["help", "frob"], `skbsim: frob: unknown command (one of ${NAMES})\n`],
  ])("%j is a usage error", async (argv, err) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toBe(err);
  });
  it("an unexpected failure is exit 1 with one line and no stack", async () => {
    const boom = { name: "boom", summary: "", help: () => "", run: async () => Promise.reject(new Error("disk on fire\n  at x.js:1:2")) };
    let err = "";
    const code = await main(["boom"], { stdout: () => {}, stderr: (s) => void (err += s) }, [boom]);
    expect(code).toBe(1);
    expect(err).toBe("skbsim: disk on fire at x.js:1:2\n");
  });
});
