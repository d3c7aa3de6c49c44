import { describe, expect, it } from "vitest";
import { parseEthtoolX } from "../../src/cli/ethtool.js";
import { UsageError } from "../../src/cli/errors.js";
import { I40E_14, IXGBE_4, MLX5_8, MS_KEY_TEXT, TOEPLITZ, defaultFill, ethtoolX, weighted } from "./ethtool-samples.js";
import { usage } from "./usage.js";

const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString("hex") : null);
const MS_HEX = MS_KEY_TEXT.replace(/:/g, "");


describe("ethtool -x samples", () => {
  it("the printer reproduces the hand-typed 128-entry sample byte for byte", () => {
    expect(ethtoolX({ dev: "eth0", rings: 4, table: defaultFill(128, 4), key: MS_KEY_TEXT, funcs: TOEPLITZ })).toBe(IXGBE_4);
  });
  it("the weighted table matches ethtool's fill (16 entries per unit of weight)", () => {
    const t = weighted(256, [1, 1, 1, 1, 2, 2, 4, 4]);
    expect([t[15], t[16], t[63], t[64], t[95], t[96], t[127], t[128], t[191], t[192], t[255]]).toEqual([0, 1, 3, 4, 4, 5, 5, 6, 6, 7, 7]);
  });
});

describe("parseEthtoolX", () => {
  it("reads a 128-entry table, the ring count and the key", () => {
    const r = parseEthtoolX(IXGBE_4, "eth0.txt");
    expect(r.device).toBe("eth0");
    expect(r.rings).toBe(4);
    expect(r.reta).toEqual(defaultFill(128, 4));
    expect(hex(r.key)).toBe(MS_HEX);
    expect(r.notes).toEqual([]);
  });
  it("reads a 512-entry table with the input-transformation block (ethtool >= 6.9)", () => {
    const r = parseEthtoolX(I40E_14, "x");
    expect(r.rings).toBe(14);
    expect(r.reta).toHaveLength(512);
    expect(r.reta![511]).toBe(511 % 14);
  });
  it("reads a reweighted 256-entry table", () => {
    const r = parseEthtoolX(MLX5_8, "x");
    expect(r.reta).toEqual(weighted(256, [1, 1, 1, 1, 2, 2, 4, 4]));
  });
  it("tolerates CRLF, a pasted shell prompt, and ethtool's ioctl fallback message", () => {
    const text = `root@host:~# ethtool -x eth0\r\nCannot get RX flow hash indir size and/or key size: Operation not supported\r\n${IXGBE_4.replace(/\n/g, "\r\n")}`;
    const r = parseEthtoolX(text, "x");
    expect(r.reta).toHaveLength(128);
    expect(r.notes.join()).toContain("Cannot get RX flow hash indir size");
  });
  it("accepts a table-less device (virtio-style) and old output without key or hash sections", () => {
    const r = parseEthtoolX(ethtoolX({ dev: "eth0", rings: 2, table: null, key: null, funcs: null }), "vm.txt");
    expect(r.reta).toBeNull();
    expect(r.key).toBeNull();
    expect(r.rings).toBe(2);
    expect(r.notes.join("\n")).toMatch(/no indirection table[\s\S]*does not report its RSS key[\s\S]*assuming toeplitz/);
    const old = parseEthtoolX(ethtoolX({ dev: "eth2", rings: 8, table: defaultFill(128, 8) }), "old.txt");
    expect(old.reta).toHaveLength(128);
    expect(old.key).toBeNull();
  });
  it("reads an all-zero key (as sfc printed it in Xilinx-CNS/onload#208)", () => {
    const r = parseEthtoolX(ethtoolX({ dev: "enp2s0f0", rings: 4, table: defaultFill(128, 1), key: Array(40).fill("00").join(":"), funcs: TOEPLITZ }), "x");
    expect(hex(r.key)).toBe("00".repeat(40));
  });
  it("notes a non-default RSS context", () => {
    const text = IXGBE_4.replace("with 4 RX ring(s):", "with 4 RX ring(s), context 1:");
    expect(parseEthtoolX(text, "x").notes.join()).toContain("RSS context 1");
  });

  it.each([
    ["xor", ethtoolX({ dev: "ens4", rings: 8, table: defaultFill(8, 8), key: MS_KEY_TEXT, funcs: { toeplitz: false, xor: true, crc32: false } }), "x:7", "the hash function is xor", "only toeplitz is modelled"],
    ["crc32", ethtoolX({ dev: "e", rings: 1, table: [0], key: MS_KEY_TEXT, funcs: { toeplitz: false, xor: false, crc32: true } }), "x:8", "the hash function is crc32", "only toeplitz"],
    ["symmetric-xor", ethtoolX({ dev: "e", rings: 1, table: [0], key: MS_KEY_TEXT, funcs: TOEPLITZ, xfrm: { "symmetric-xor": true } }), "x:10", "symmetric-xor is on", "unmodified tuple"],
    ["unknown hash", `${ethtoolX({ dev: "e", rings: 1, table: [0], key: MS_KEY_TEXT })}RSS hash function:\n    toeplitz: off\n    Unknown hash function: 0x10\n`, "x:7", "does not know", "only toeplitz"],
    ["elided table", IXGBE_4.replace(/ {3}24:[^\n]*\n[\s\S]*? {2}112:[^\n]*\n/, "...\n"), "x:5", "elided", "every table row"],
    ["row out of order", IXGBE_4.replace("    8:", "   16:"), "x:3", "row starts at index 16 but 8 entries", "rows in order"],
    ["entry beyond the rings", IXGBE_4.replace("    0:      0     1     2     3", "    0:      0     1     2     4"), "x:2", "entry 4 is not a ring of eth0", "entries 0..3"],
    ["192 entries (not a power of two)", ethtoolX({ dev: "e", rings: 3, table: defaultFill(192, 3) }), "x:1", "has 192 entries", "power of two"],
    ["a second context", IXGBE_4 + IXGBE_4, "x:24", "second indirection table", "one RSS context"],
    ["garbage before the header", `hello\n${IXGBE_4}`, "x:1", "unexpected line \"hello\"", "ethtool -x DEV"],
    ["garbage in the table", IXGBE_4.replace("    8:", "    8: x"), "x:3", "in the indirection table", "rows as ethtool prints"],
    ["bad key", IXGBE_4.replace("6d:5a", "6d:5z"), "x:19: RSS hash key", "\"5z\" is not a hex byte", "2 hex digits"],
    ["53-byte key", IXGBE_4.replace(MS_KEY_TEXT, Array(53).fill("ab").join(":")), "x:19: RSS hash key", "53 bytes is too long", "4..52"],
  ])("refuses %s, naming file:line", (_name, text, arg, problem, allowed) => {
    const e = usage(() => parseEthtoolX(text, "x"));
    expect(e.arg).toBe(arg);
    expect(e.problem).toContain(problem);
    expect(e.allowed).toContain(allowed);
  });
  it("refuses a file with no header", () => {
    for (const text of ["", "Cannot get RX rings: Operation not supported\n", "$ ethtool -x eth0\n"]) {
      const e = usage(() => parseEthtoolX(text, "empty.txt"));
      expect(e.arg).toBe("empty.txt");
      expect(e.problem).toContain("no \"RX flow hash indirection table");
    }
  });

  describe("ethtool --json -x", () => {
    const obj = {
      ifname: "eth0",
      "rss-indirection-table": defaultFill(128, 4),
      "rss-hash-key": MS_HEX.match(/../g)!.map((b) => parseInt(b, 16)),
      "rss-hash-function": "toeplitz",
      "rss-input-transformation": { "symmetric-xor": false, "symmetric-or-xor": false },
    };
    it("reads table and key", () => {
      const r = parseEthtoolX(JSON.stringify([obj], null, 2), "j");
      expect(r.device).toBe("eth0");
      expect(r.rings).toBeNull();
      expect(r.reta).toEqual(defaultFill(128, 4));
      expect(hex(r.key)).toBe(MS_HEX);
    });
    it.each([
      [{ ...obj, "rss-hash-function": "xor" }, "the hash function is xor"],
      [{ ...obj, "rss-input-transformation": { "symmetric-xor": true } }, "symmetric-xor is on"],
      [{ ...obj, "rss-indirection-table": defaultFill(96, 4) }, "96 entries"],
      [{ ifname: "eth0" }, "neither"],
    ])("refuses %#", (o, problem) => {
      expect(usage(() => parseEthtoolX(JSON.stringify([o]), "j")).problem).toContain(problem);
    });
    it("refuses broken JSON", () => {
      expect(usage(() => parseEthtoolX("[{", "j")).problem).toContain("not valid JSON");
    });
  });
});
