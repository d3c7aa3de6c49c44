import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { F64Keys, f64Fields } from "../../src/util/f64-field.js";
import { TcpConn } from "../../src/tcp/conn.js";
import { TcpSock } from "../../src/tcp/sock.js";
import { SegIn, SegOut } from "../../src/tcp/segment.js";
import { congestionOps } from "../../src/tcp/data-init.js";

// V8's %HaveSameMap: whether two objects share a hidden class (functions compiled after the flag).
setFlagsFromString("--allow-natives-syntax");
const sameMap = new Function("a", "b", "return %HaveSameMap(a, b);") as (a: object, b: object) => boolean;

/** Store numbers past 2^31 (and fractions) in `keys` of a new object: does it keep the hidden
 *  class of one made just before (a field generalised now would have replaced that class)? */
function keepsClass(make: () => object, keys: string[]): boolean {
  const before = make();
  const o = make() as Record<string, number>;
  for (const k of keys) o[k] = 2 ** 33 + 0.5;
  return sameMap(o, before);
}

describe("f64Fields: number fields that pass 2^31 keep their object's hidden class", () => {
  it("a plain class changes class when a Smi field gets a large value (the check can fail)", () => {
    class Plain {
      seq = 0;
    }
    expect(keepsClass(() => new Plain(), ["seq"])).toBe(false);
  });

  it("after f64Fields the class stays, and values are left as they were (+0 stays +0)", () => {
    const KEYS = new F64Keys(["seq", "t"]);
    class Primed {
      seq = 0;
      t = -1;
      n = 0;
      constructor() {
        f64Fields(this, KEYS);
      }
    }
    const p = new Primed();
    expect(Object.is(p.seq, 0)).toBe(true);
    expect(p.t).toBe(-1);
    expect(keepsClass(() => new Primed(), ["seq", "t"])).toBe(true);
    expect(keepsClass(() => new Primed(), ["n"])).toBe(false);
  });

  it("refuses a key that is not a number field", () => {
    expect(() => f64Fields({ a: "x" }, new F64Keys(["a"]))).toThrow(/a is not a number field of Object/);
    expect(() => f64Fields({}, new F64Keys(["missing"]))).toThrow(/missing is not a number field/);
  });

  it("TCP's sequence numbers, byte totals and times: TcpConn, TcpSock, SegIn, SegOut", () => {
    const cc = congestionOps("cubic");
    expect(
      keepsClass(() => new TcpConn(cc), ["sndUna", "sndNxt", "writeSeq", "sndWl1", "rcvNxt", "rcvWup", "copiedSeq",
        "wmemCharged", "wmemFreed", "bytesReceived", "bytesRead", "wstampNs", "lrcvtime"]),
    ).toBe(true);
    expect(keepsClass(() => new TcpSock(), ["iss", "sndNxt", "sndUna", "irs", "rcvNxt", "tsOff", "tsRecent"])).toBe(true);
    expect(keepsClass(() => new SegIn(), ["seq", "ack", "tsVal", "tsEcr"])).toBe(true);
    expect(keepsClass(() => new SegOut(), ["seq", "ack", "tsVal", "tsEcr"])).toBe(true);
  });
});
