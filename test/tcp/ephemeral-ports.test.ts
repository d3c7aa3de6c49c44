// __inet_hash_connect's search (client.ts pickPort): the first port from a random start, wrapping, with no
// listener and no socket to the destination. EphemeralPorts answers it from a bitmap per destination,
// updated as sockets are hashed and destroyed; it must give the port a port-by-port scan of the tables
// gives (the scan pickPort did before: a connect() near a full range looked at up to 28232 ports).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { EPHEMERAL_HIGH, EPHEMERAL_LOW, EphemeralPorts } from "../../src/tcp/ephemeral-ports.js";
import { SockTable } from "../../src/tcp/ehash.js";
import type { PortTable } from "../../src/tcp/tcp-host.js";
import type { TcpSock } from "../../src/tcp/sock.js";

const N = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
/** Values within 70 of either end (where the wrap is, and where a few sockets make the search step past
 *  taken ports), or anywhere. */
const near = (lo: number, hi: number) => fc.oneof(fc.integer({ min: lo, max: lo + 70 }), fc.integer({ min: hi - 70, max: hi }), fc.integer({ min: lo, max: hi }));

/** The port-by-port scan. */
function scan(ports: Map<number, PortTable>, rkey: number, rport: number, start: number): number {
  for (let i = 0; i < N; i++) {
    const port = EPHEMERAL_LOW + ((start + i) % N);
    const pt = ports.get(port);
    if (pt === undefined || (pt.listener === null && !pt.conns.has(rkey, rport))) return port;
  }
  return -1;
}

describe("EphemeralPorts", () => {
  it("gives the scan's port through hashes, destroys and listeners, for several destinations", () => {
    const dests: [number, number][] = [
      [0x0a000002, 80],
      [0x0a000002, 443],
      [0xfd000001, 80],
    ];
    fc.assert(
      fc.property(
        fc.array(fc.record({ op: fc.constantFrom("hash", "destroy", "search"), d: fc.nat(2), port: near(EPHEMERAL_LOW - 3, EPHEMERAL_HIGH + 3), start: near(0, N - 1) }), { minLength: 50, maxLength: 400, size: "max" }),
        fc.subarray([EPHEMERAL_LOW, EPHEMERAL_LOW + 31, EPHEMERAL_LOW + 32, EPHEMERAL_HIGH, 50000]),
        (ops, listeners) => {
          const ports = new Map<number, PortTable>();
          for (const p of listeners) ports.set(p, { listener: {} as PortTable["listener"], conns: new SockTable() });
          const e = new EphemeralPorts();
          const sk = {} as TcpSock;
          for (const o of ops) {
            const [rkey, rport] = dests[o.d]!;
            if (o.op === "search") {
              expect(e.search(ports, rkey, rport, o.start)).toBe(scan(ports, rkey, rport, o.start));
            } else if (o.op === "hash") {
              let pt = ports.get(o.port);
              if (pt === undefined) ports.set(o.port, (pt = { listener: null, conns: new SockTable() }));
              pt.conns.set(rkey, rport, sk);
              if (e.size > 0) e.take(rkey, rport, o.port);
            } else {
              const pt = ports.get(o.port);
              if (pt === undefined || !pt.conns.has(rkey, rport)) continue;
              pt.conns.delete(rkey, rport);
              if (pt.listener === null && e.size > 0) e.release(rkey, rport, o.port);
              if (pt.listener === null && pt.conns.size === 0) ports.delete(o.port);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a full range: -1 for that destination, a port for another; the bits past 60999 are never free", () => {
    const ports = new Map<number, PortTable>();
    const sk = {} as TcpSock;
    const e = new EphemeralPorts();
    for (let p = EPHEMERAL_LOW; p <= EPHEMERAL_HIGH; p++) {
      const conns = new SockTable();
      conns.set(1, 80, sk);
      ports.set(p, { listener: null, conns });
    }
    expect(e.search(ports, 1, 80, 0)).toBe(-1);
    expect(e.search(ports, 1, 80, N - 1)).toBe(-1);
    expect(e.search(ports, 1, 81, N - 1)).toBe(EPHEMERAL_HIGH);
    // 60999 freed: found from any start, the last word's padding is not a port
    ports.get(EPHEMERAL_HIGH)!.conns.delete(1, 80);
    e.release(1, 80, EPHEMERAL_HIGH);
    expect(e.search(ports, 1, 80, 0)).toBe(EPHEMERAL_HIGH);
    expect(e.search(ports, 1, 80, 5)).toBe(EPHEMERAL_HIGH);
  });
});
