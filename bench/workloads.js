// Workloads of the wheel and loop cases in bench/cases.js, whose case bodies the
// wheel and loop benches and bench/cputime.js all run, so the wall-clock and
// CPU-time measurements time exactly the same schedules.

/** 1M timers over 2^28 ns (~268 ms) for the wheel's fill+drain and hold cases. */
export const N = 1 << 20;
export const RANGE = 2 ** 28;
export const STEPS = 1024;
export const HOLD_OPS = 1 << 16;

function xorshift(seed) {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Random whole ns in [0, range), the same for every case. */
export function randomTimes(n, seed, range = RANGE) {
  const rnd = xorshift(seed);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = Math.floor(rnd() * range);
  return t;
}

/** Event-loop delays in [1, 65536] ns from a 32-bit LCG. */
export function loopDelays(n, seed) {
  const d = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d[i] = 1 + (s >>> 16);
  }
  return d;
}
