// Runs f and returns the UsageError it throws (failing the test otherwise).
import { expect } from "vitest";
import { UsageError } from "../../src/cli/errors.js";

export function usage(f: () => unknown): UsageError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error("no UsageError");
}
