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
// f64Fields(o, keys) stores a fraction in each listed field of the first
// object of a class and puts the value back: V8 generalises the field in the
// class's transition tree, so that object and every one created later have
// the double field from the start, with their own values (+0 stays +0).
const done = new WeakSet<readonly string[]>();

/** Give the `keys` fields of `o` (and of every later object of its class or
 *  literal site, passing the same `keys` array) the double representation;
 *  values are left as they are. Cheap after the first call per `keys`. */
export function f64Fields(o: object, keys: readonly string[]): void {
  if (done.has(keys)) return;
  done.add(keys);
  const r = o as Record<string, unknown>;
  for (const k of keys) {
    const v = r[k];
    if (typeof v !== "number") throw new Error(`f64Fields: ${k} is not a number field of ${o.constructor.name}`);
    r[k] = 0.5;
    r[k] = v;
  }
}
