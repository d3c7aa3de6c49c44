// Number fields that will hold more than a small integer (sequence numbers,
// byte totals, ns times) get V8's double representation before any code is
// optimised for their object's class.
//
// V8 gives each field of a hidden class a representation from the values
// stored so far: a field that has only held small integers (Smis: 32-bit in
// Node, 31-bit with pointer compression, as in Chrome) is kept as one. The
// first larger or fractional number stored there changes the field to a
// double, which replaces the hidden class, and every function optimised for
// the old class is deoptimised (~50 at once on the TCP data path). In a long
// run that happens whenever the values first cross 2^31: a 10 Gbit flow's
// absolute sequence numbers at a time set by the ISN, its relative ones and
// the byte totals after ~1.8 s, integral ns times at 2.1 s; each such storm
// costs hundreds of ms of CPU.
//
// f64Fields(o, k) stores a fraction in each field k lists of the first
// object of a class and puts the value back: V8 generalises the field in the
// class's transition tree, so that object and every one created later have
// the double field from the start, with their own values (+0 stays +0).
/** The fields f64Fields gives the double representation, for one class or
 *  object-literal site; `done` once they have it. */
export class F64Keys {
  done = false;
  constructor(readonly keys: readonly string[]) {}
}

/** Give the `k.keys` fields of `o` (and of every later object of its class or
 *  literal site, passing the same `k`) the double representation; values are
 *  left as they are. After the first call per `k`, one load and a branch. */
export function f64Fields(o: object, k: F64Keys): void {
  if (k.done) return;
  k.done = true;
  const r = o as Record<string, unknown>;
  for (const key of k.keys) {
    const v = r[key];
    if (typeof v !== "number") throw new Error(`f64Fields: ${key} is not a number field of ${o.constructor.name}`);
    r[key] = 0.5;
    r[key] = v;
  }
}
