// Counting wrapper shared by the profile tools (txpath-profile.js,
// synflood-profile.js): every function export of the WASM core goes through
// a closure that counts its calls into `counts` while `isMeasuring()` holds.
// It slows the run, so those tools time themselves with COUNT=0.

/** A copy of `raw` whose function exports count their calls by name. */
export function countingExports(raw, counts, isMeasuring) {
  const wrapped = {};
  for (const [name, v] of Object.entries(raw)) {
    if (typeof v !== "function") {
      wrapped[name] = v;
      continue;
    }
    wrapped[name] = (...args) => {
      if (isMeasuring()) counts.set(name, (counts.get(name) ?? 0) + 1);
      return v(...args);
    };
  }
  return wrapped;
}
