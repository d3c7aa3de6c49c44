// BQL traces derived by hand from lib/dynamic_queue_limits.c (dql_completed)
// and include/linux/netdevice.h (netdev_tx_sent_queue,
// netdev_tx_completed_queue); the worked traces of tx-queueing.md §1.6 and
// the observable behaviours of §8 (1-5). Each is run on the WASM kernel and
// on the TS reference. Times are jiffies (HZ = 1000: 1 jiffy = 1e6 ns).
import { beforeAll, describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import type { Core } from "../../src/core/core.js";
import { Dql, DqlError, DQL_MAX_LIMIT, DQL_MAX_OBJECT, dqlOf } from "../../src/core/dql.js";
import { RefDql } from "../../src/core/ref/dql.js";

const J = 1e6; // ns per jiffy
const F = 1514;

let core: Core;
let next = 0;
beforeAll(async () => {
  core = await freshCore({ dqlQueues: 64 });
});
/** A fresh (never used) queue each time. */
function fresh(): Dql {
  return dqlOf(core, next++);
}

/** The same driver calls on the kernel and the reference. */
interface Both {
  sent(bytes: number, j?: number): boolean;
  done(bytes: number, j?: number): string;
  limit(): number;
  avail(): number;
}
function both(): [Both, Both] {
  const d = fresh();
  const r = new RefDql();
  return [
    { sent: (b, j = 0) => d.sent(b, j * J), done: (b, j = 0) => d.txCompleted(b, j * J), limit: () => d.limit, avail: () => d.avail },
    { sent: (b, j = 0) => r.sent(b, j), done: (b, j = 0) => r.txCompleted(b, j), limit: () => r.limit, avail: () => r.avail() },
  ];
}

describe("worked trace 1.6 (1514-B frames)", () => {
  for (const [name, i] of [["wasm", 0], ["ref", 1]] as const) {
    it(`${name}: bootstrap, growth, open queue`, () => {
      const q = both()[i];
      // 1: a new queue has limit = adj_limit = 0: the first frame stops it
      expect(q.sent(F, 0)).toBe(true);
      expect(q.avail()).toBe(-1514);
      // 2: ovlimit 1514, nothing in progress -> starved: limit 0 + 1514
      expect(q.done(F, 1)).toBe("woken");
      expect(q.limit()).toBe(1514);
      expect(q.avail()).toBe(1514); // adj_limit 3028 - num_queued 1514
      // 3: avail 0 keeps it open, -1514 stops it
      expect(q.sent(F, 2)).toBe(false);
      expect(q.avail()).toBe(0);
      expect(q.sent(F, 2)).toBe(true);
      expect(q.avail()).toBe(-1514);
      // 4: ovlimit POSDIFF(3028, 1514) = 1514, drained -> 1514 + (4542 - 1514)
      expect(q.done(2 * F, 3)).toBe("woken");
      expect(q.limit()).toBe(4542);
      expect(q.avail()).toBe(4542); // adj 9084 - 4542
      // 5: three frames: avail 3028, 1514, 0 -> stays open
      expect([q.sent(F, 3), q.avail(), q.sent(F, 3), q.avail(), q.sent(F, 3), q.avail()]).toEqual([false, 3028, false, 1514, false, 0]);
      // 6: ovlimit POSDIFF(4542, 4542) = 0, nothing in progress: no change
      expect(q.done(3 * F, 4)).toBe("open");
      expect(q.limit()).toBe(4542);
    });
  }

  it("shrink: 30280 until jiffy 1003, 7570 at 1004, 9084 at 1010, then a 9084/7570 sawtooth per hold window", () => {
    const d = fresh();
    const r = new RefDql();
    // trace steps 1-6 at jiffies 0..4 (the slack window starts at jiffy 3)
    const steps: [string, number, number][] = [["s", F, 0], ["c", F, 1], ["s", F, 2], ["s", F, 2], ["c", 2 * F, 3], ["s", F, 3], ["s", F, 3], ["s", F, 3], ["c", 3 * F, 4]];
    for (const [k, b, j] of steps) {
      if (k === "s") {
        d.sent(b, j * J);
        r.sent(b, j);
      } else {
        d.txCompleted(b, j * J);
        r.txCompleted(b, j);
      }
    }
    expect(d.state().slackStartTime).toBe(3);
    d.write("limit", 30280);
    r.limit = 30280;
    const limits = new Map<number, number>();
    // each jiffy: the stack fills the queue until it stops, then 4542 B complete
    for (let j = 5; j <= 3020; j++) {
      while (!d.stopped) d.sent(F, j * J);
      while (!r.xoff) r.sent(F, j);
      d.txCompleted(3 * F, j * J);
      r.txCompleted(3 * F, j);
      expect(d.limit).toBe(r.limit);
      limits.set(j, d.limit);
    }
    expect(d.state()).toEqual(r.state());
    // busy rounds: inflight = limit + 1514, slack = 30280 + 1514 - 2*4542 = 22710
    expect(limits.get(1003)).toBe(30280);
    expect(limits.get(1004)).toBe(30280 - 22710);
    for (let j = 1004; j < 1010; j++) expect(limits.get(j)).toBe(7570);
    // drained: prev_ovlimit 1514 and everything previous completed -> + 1514
    expect(limits.get(1010)).toBe(9084);
    // hold windows from 1010: shrink by the lowest slack 1514 when jiffies > start + 1000
    const changes: [number, number][] = [];
    for (let j = 1011; j <= 3020; j++) if (limits.get(j) !== limits.get(j - 1)) changes.push([j, limits.get(j)!]);
    expect(changes).toEqual([
      [2011, 7570],
      [2013, 9084],
      [3014, 7570],
      [3016, 9084],
    ]);
  });
});

describe("dql_completed cases", () => {
  it("starved by the second rule: prev_ovlimit and all previous completed, data still in progress", () => {
    for (const q of both()) {
      q.sent(F, 0);
      q.done(F, 0); // limit 1514, adj 3028
      expect([q.sent(F, 1), q.avail(), q.sent(F, 1)]).toEqual([false, 0, true]);
      // ovlimit POSDIFF(3028, 1514) = 1514; prev_inprogress 1514 - 1514 = 0 -> no rule;
      // prev_ovlimit := 1514, adj = 1514 + 3028 -> avail 0 -> woken
      expect(q.done(F, 2)).toBe("woken");
      expect(q.limit()).toBe(1514);
      expect(q.sent(F, 3)).toBe(true);
      // completed 4542 >= prev_num_queued 4542 with prev_ovlimit 1514, 1514 still
      // in progress (so not the first rule): 1514 + POSDIFF(4542, 4542) + 1514
      expect(q.done(F, 4)).toBe("woken");
      expect(q.limit()).toBe(3028);
      expect(q.avail()).toBe(3028 + 4542 - 6056);
    }
  });

  it("clamps to limit_min and limit_max; a change resets ovlimit", () => {
    const d = fresh();
    d.write("limit_max", 2000);
    d.sent(F);
    d.sent(F);
    d.txCompleted(2 * F, 1); // starved: 0 + 3028 -> clamped to 2000
    expect(d.limit).toBe(2000);
    expect(d.state().prevOvlimit).toBe(0);
    const e = fresh();
    e.write("limit_min", 10000);
    e.sent(F);
    e.txCompleted(F); // 1514 -> clamped up to 10000
    expect(e.limit).toBe(10000);
    expect(e.avail).toBe(10000);
    expect(() => e.write("limit_max", DQL_MAX_LIMIT + 1)).toThrow(/bql.limit_max/);
    e.write("limit_max", "max");
    expect(e.sysfs().limit_max).toBe(DQL_MAX_LIMIT);
  });

  it("sysfs limit acts only at the next completion; bytes = 0 changes nothing", () => {
    const d = fresh();
    d.sent(F);
    d.txCompleted(F); // limit 1514, adj 3028
    d.write("limit", 100000);
    expect(d.limit).toBe(100000);
    expect(d.avail).toBe(1514); // adj_limit not recomputed
    expect(d.sent(F)).toBe(false);
    expect(d.sent(F)).toBe(true); // still the old adj_limit
    const before = d.state();
    expect(d.txCompleted(0)).toBe("noop");
    expect(d.state()).toEqual(before);
    // ovlimit POSDIFF(3028, 100000) = 0, nothing starved or busy; adj = 100000 + 4542
    expect(d.txCompleted(2 * F)).toBe("woken");
    expect(d.avail).toBe(100000);
  });

  it("refuses to complete more than is in flight (the kernel's BUG_ON), changing nothing", () => {
    const d = fresh();
    d.sent(F);
    const before = d.state();
    expect(() => d.txCompleted(F + 1)).toThrow(DqlError);
    expect(() => d.completed(F + 1)).toThrow(/only 1514 in flight/);
    expect(d.state()).toEqual(before);
    // objects above DQL_MAX_OBJECT: refused by the wrapper, ignored by the kernel
    expect(() => d.sent(DQL_MAX_OBJECT + 1)).toThrow(/bytes/);
    const raw = core.raw as unknown as { dql_queued(q: number, c: number, n: number): number };
    expect(raw.dql_queued(d.q, DQL_MAX_OBJECT + 1, 0)).toBe(0);
    expect(d.state()).toEqual(before);
  });

  it("sent burst: xmit_more semantics, stop decision once after the batch", () => {
    const d = fresh();
    const n = core.allocBurst(3, 0, 100);
    expect(n).toBe(3);
    const hs = Array.from(core.scratch.subarray(100, 103));
    [1000, 2000, 500].forEach((len, i) => (core.skb.len[hs[i]!] = len));
    expect(d.sentBurst(3, 100)).toBe(true); // 3500 over adj 0
    expect(d.state().lastObjCnt).toBe(500);
    expect(d.inflight).toBe(3500);
    expect(d.stops).toBe(1);
    expect(d.txCompleted(3500, 1 * J)).toBe("woken");
    expect(d.wakes).toBe(1);
    expect(d.limit).toBe(3500);
    core.freeBurst(3, 100);
  });
});

describe("u32 wraparound", () => {
  it("a trace across 2^32 gives the limits of the same trace from 0", () => {
    const a = fresh();
    const b = fresh();
    const r = new RefDql();
    b.shiftCounters(0xffffffff - 5000);
    r.shiftCounters(0xffffffff - 5000);
    const seq: [number, number][] = [];
    for (let j = 0; j < 40; j++) seq.push([1 + (j % 5), j]);
    for (const [k, j] of seq) {
      for (let i = 0; i < k; i++) {
        expect(b.sent(F, j * J)).toBe(a.sent(F, j * J));
        r.sent(F, j);
      }
      expect(b.txCompleted(F * k, j * J)).toBe(a.txCompleted(F * k, j * J));
      r.txCompleted(F * k, j);
      expect([b.limit, b.avail, b.inflight]).toEqual([a.limit, a.avail, a.inflight]);
      expect(r.limit).toBe(a.limit);
    }
    expect(b.state().numQueued).toBeLessThan(a.state().numQueued); // wrapped
    expect(b.state()).toEqual(r.state());
  });
});

describe("stall detector (6.8+)", () => {
  for (const [name, make] of [
    ["wasm", () => {
      const d = fresh();
      return { send: (j: number) => d.sent(F, j * J), done: (j: number) => d.txCompleted(F, j * J), thrs: (v: number) => d.write("stall_thrs", v), st: () => ({ cnt: d.sysfs().stall_cnt, max: d.sysfs().stall_max }), resetMax: () => d.write("stall_max", 0) };
    }],
    ["ref", () => {
      const r = new RefDql();
      return { send: (j: number) => r.sent(F, j), done: (j: number) => r.txCompleted(F, j), thrs: (v: number) => r.setStallThrs(v, 0), st: () => ({ cnt: r.stallCnt, max: r.stallMax }), resetMax: () => (r.stallMax = 0) };
    }],
  ] as const) {
    it(`${name}: counts stalls of >= stall_thrs jiffies with TX posted in the first half`, () => {
      const q = make();
      q.thrs(4);
      // sent at 10, completed at 20: search [1, 20 - 2] finds 10 -> stall of 10
      q.send(10);
      q.done(20);
      expect(q.st()).toEqual({ cnt: 1, max: 10 });
      // 21 < last_reap 20 + 4: no check
      q.send(21);
      q.done(21);
      expect(q.st()).toEqual({ cnt: 1, max: 10 });
      // sent at 22, completed at 30: [22, 28] holds 22 -> stall 8, max stays 10
      q.send(22);
      q.done(30);
      expect(q.st()).toEqual({ cnt: 2, max: 10 });
      // sent at 40, completed at 41 (>= 30 + 4): [31, 39] has nothing -> no stall
      q.send(40);
      q.done(41);
      expect(q.st()).toEqual({ cnt: 2, max: 10 });
      // jiffy 300 moves history_head 0 -> 4 and clears words 1, 2, 3, 0 first;
      // at 400: [max(64, 42), 319] finds 300 -> stall 100
      q.send(300);
      q.done(400);
      expect(q.st()).toEqual({ cnt: 3, max: 100 });
      q.resetMax();
      expect(q.st()).toEqual({ cnt: 3, max: 0 });
    });
  }

  it("stall_thrs range: 0 or 4..128 ms", () => {
    const d = fresh();
    expect(() => d.write("stall_thrs", 3)).toThrow(/ERANGE/);
    expect(() => d.write("stall_thrs", 129)).toThrow(/bql.stall_thrs/);
    d.write("stall_thrs", 128);
    expect(d.sysfs().stall_thrs).toBe(128);
  });
});

describe("sysfs view", () => {
  it("defaults of a new queue (dql_init(dql, HZ))", () => {
    const d = fresh();
    expect(d.sysfs()).toEqual({ limit: 0, limit_min: 0, limit_max: 1879048192, hold_time: 1000, inflight: 0, stall_thrs: 0, stall_max: 0, stall_cnt: 0 });
    d.sent(F);
    d.sent(F);
    expect(d.sysfs().inflight).toBe(3028);
    d.write("hold_time", 5);
    expect(d.sysfs().hold_time).toBe(5);
  });

  it("refuses a queue index beyond core.dqlQueues", () => {
    expect(() => dqlOf(core, 64)).toThrow(/dql.queue/);
  });
});
