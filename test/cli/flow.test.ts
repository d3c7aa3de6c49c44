import { describe, expect, it } from "vitest";
import { parseFlow } from "../../src/cli/flow.js";
import { parseHexKey, formatHexKey } from "../../src/cli/hex.js";
import { UsageError } from "../../src/cli/errors.js";
import { usage } from "./usage.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");


describe("parseFlow", () => {
  it("reads an IPv4 4-tuple", () => {
    const f = parseFlow("66.9.149.187:2794-161.142.100.80:1766");
    expect(f.version).toBe(4);
    expect(hex(f.src)).toBe("420995bb");
    expect(hex(f.dst)).toBe("a18e6450");
    expect([f.sport, f.dport]).toEqual([2794, 1766]);
    expect(f.text).toBe("66.9.149.187:2794-161.142.100.80:1766");
  });
  it("reads bracketed IPv6 and prints it RFC 5952 canonical", () => {
    const f = parseFlow("[3FFE:2501:0200:1FFF:0:0:0:7]:2794-[3ffe:2501:200:3::1]:1766");
    expect(f.version).toBe(6);
    expect(hex(f.src)).toBe("3ffe250102001fff0000000000000007");
    expect(f.text).toBe("[3ffe:2501:200:1fff::7]:2794-[3ffe:2501:200:3::1]:1766");
  });
  it("reads port-less (L3) flows and the port range ends", () => {
    const f = parseFlow("10.0.0.1-10.0.0.2");
    expect([f.sport, f.dport]).toEqual([null, null]);
    expect(f.text).toBe("10.0.0.1-10.0.0.2");
    expect(parseFlow("[::1]-[::2]").text).toBe("[::1]-[::2]");
    expect(parseFlow("1.2.3.4:0-5.6.7.8:65535").dport).toBe(65535);
  });
  it.each([
    ["", "is empty"],
    ["1.2.3.4:80", "no '-'"],
    ["1.2.3.4:80-5.6.7.8:70000", "destination port 70000 is out of range"],
    ["1.2.3.4:99999-5.6.7.8:1", "source port 99999 is out of range"],
    ["1.2.3.4:080000-5.6.7.8:1", "out of range"],
    ["1.2.3.4:-5.6.7.8:1", "source port is empty"],
    ["1.2.3.4:http-5.6.7.8:1", "not a decimal number"],
    ["1.2.3.4:+80-5.6.7.8:1", "not a decimal number"],
    ["1.2.3.4:80-5.6.7.8", "source only"],
    ["1.2.3.4-5.6.7.8:80", "destination only"],
    ["1.2.3.4:80-[::1]:80", "mixes IPv4 source and IPv6 destination"],
    ["[::1]:80-1.2.3.4:80", "mixes IPv6 source and IPv4 destination"],
    ["fe80::1:80-fe80::2:443", "unbracketed IPv6"],
    ["[fe80::1:80-[fe80::2]:443", "no '-'"],
    ["[fe80::1]:80-[fe80::2:443", "'[' without ']'"],
    ["[1.2.3.4]:80-[::2]:443", "IPv4 in brackets"],
    ["[fe80::1%eth0]:80-[fe80::2]:443", "not an IPv6 address"],
    ["1.2.3.256:1-1.2.3.4:2", "not an IPv4 address"],
    ["01.2.3.4:1-1.2.3.4:2", "not an IPv4 address"],
    ["1.2.3.4:1-1.2.3.4:2-3", "text after the destination"],
    ["1.2.3.4:1 - 1.2.3.4:2", "white space"],
    ["[::1]x:1-[::2]:2", "after ']'"],
    ["1.2.3.4]:1-1.2.3.4:2", "stray bracket"],
  ])("refuses %j (%s)", (text, what) => {
    const e = usage(() => parseFlow(text));
    expect(e.arg).toBe(`flow "${text}"`);
    expect(e.problem).toContain(what);
    expect(e.allowed.length).toBeGreaterThan(0);
  });
  it("names the file line when given one", () => {
    expect(usage(() => parseFlow("x", "flows.txt:7")).arg).toBe('flows.txt:7: flow "x"');
  });
});

describe("parseHexKey", () => {
  const MS = "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa";
  it("reads ethtool's colon form, spaces, a plain run and 0x", () => {
    const colon = MS.match(/../g)!.join(":");
    expect(hex(parseHexKey(colon, "--key"))).toBe(MS);
    expect(hex(parseHexKey(MS.match(/../g)!.join(" "), "--key"))).toBe(MS);
    expect(hex(parseHexKey(MS.toUpperCase(), "--key"))).toBe(MS);
    expect(hex(parseHexKey(`0x${MS}`, "--key"))).toBe(MS);
    expect(formatHexKey(parseHexKey(MS, "--key"))).toBe(colon);
  });
  it("accepts 4..52 bytes (NETDEV_RSS_KEY_LEN) and nothing else", () => {
    expect(parseHexKey("00".repeat(4), "--key")).toHaveLength(4);
    expect(parseHexKey("ab".repeat(52), "--key")).toHaveLength(52);
    expect(usage(() => parseHexKey("ab".repeat(53), "--key")).message).toBe("--key: 53 bytes is too long (4..52 bytes, NETDEV_RSS_KEY_LEN)");
    expect(usage(() => parseHexKey("abcdef", "--key")).problem).toBe("3 bytes is too short");
  });
  it.each(["6d:5g:56:da", "6d5a56d", "6:5a:56:da:11", "zz", "", "6d5a:56da:1122"])("refuses %j", (t) => {
    const e = usage(() => parseHexKey(t, "--key"));
    expect(e.arg).toBe("--key");
  });
});
