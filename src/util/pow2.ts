// 2^k for a non-negative integer k. V8 compiles `2 ** k` with a variable k
// into a call of its C pow (tens of ns); window scaling, TSQ and backoff do
// it on every segment, so they read the exact same doubles from a table.
const POW2 = new Float64Array(64);
for (let i = 0; i < 64; i++) POW2[i] = 2 ** i;

export function pow2(k: number): number {
  return k < 64 ? POW2[k]! : 2 ** k;
}
