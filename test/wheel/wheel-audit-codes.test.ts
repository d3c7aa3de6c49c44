// wheel_audit's codes live in assembly/wheel.ts only (WHEEL_AUDIT_* exports); Wheel.audit reads them
// by name for its message: every failure code the module exports has a message, each message a
// code, and the codes are distinct and not the pass.
import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { AUDIT_FAILURES, auditMessage } from "../../src/core/wheel.js";

describe("wheel audit codes", () => {
  it("each exported failure code has its message in Wheel.audit, and a clean wheel passes", async () => {
    const core = await freshCore({ wheelEntries: 64 });
    const raw = core.raw as unknown as Record<string, unknown>;
    const exported = Object.keys(raw).filter((k) => k.startsWith("WHEEL_AUDIT_") && k !== "WHEEL_AUDIT_OK");
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.sort()).toEqual(Object.keys(AUDIT_FAILURES).sort());
    const ok = (raw.WHEEL_AUDIT_OK as WebAssembly.Global).value as number;
    const codes = exported.map((k) => (raw[k] as WebAssembly.Global).value as number);
    expect(new Set([ok, ...codes]).size).toBe(codes.length + 1);
    // Wheel.audit's lookup turns each exported code into its own message.
    exported.forEach((k, i) => expect(auditMessage(raw, codes[i]!)).toBe(AUDIT_FAILURES[k]));
    expect(auditMessage(raw, ok)).toBeNull();
    core.wheel.schedule(1000, 1, 2);
    expect(() => core.wheel.audit()).not.toThrow();
  });
});
