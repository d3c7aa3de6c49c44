// A deep reordering hold (link reorderDelay = 10 serialization times) against RACK (net/ipv4/tcp_recovery.c).
// World: one bulk flow a -> b over 1 Gbit, 50 us each way, 1 % of frames reordered both ways, 100 ms, seed 1.
// A full-size frame is 1538 bytes on the wire: 12304 ns at 1 Gbit (wire-time.ts); min RTT ~101 us.
//
// Default hold, 2 serialization times = 24.6 us: the held frame is 12.3 us behind its back-to-back successor,
// under RACK's window once reordering was seen (tcp_rack_reo_wnd: min_rtt/4 = 25 us), so only the odd
// host-queue gap makes a spurious retransmission; and a retransmission can leave only after a later segment's
// SACK, at least a min RTT (101 us) after the original was sent, so the original (24.6 us late) always reaches
// the receiver first: the ACK of the hole echoes the original's TSval, the undo is by timestamp
// (tcp_try_undo_partial), never by D-SACK (tcp_try_undo_dsack: TCPDSACKUndo stays 0).
//
// Deep hold, 10 serialization times = 123.04 us: the held frame is 110.7 us behind its successor, past
// reo_wnd = (min_rtt >> 2) * reo_wnd_steps until steps ≥ ceil(110.7 / 25) = 5, so held frames are marked lost
// (tcp_rack_detect_loss) and retransmitted; the receiver D-SACKs each duplicate (tcp_dsack_set ->
// TCPDSACKOldSent), the sender sees it (tcp_check_dsack: TCPDSACKRecv, rack.dsack_seen) and
// tcp_rack_update_reo_wnd adds a step (at most one per D-SACK). So the window grows until it covers the hold.
// And the hold now exceeds the min RTT, so a retransmission can beat its original: the hole is filled by the
// retransmission (its ACK echoes the retransmission's TSval: no tcp_packet_delayed proof, no timestamp undo),
// the original arrives as the duplicate, and its D-SACK brings undo_retrans to 0 while the episode is still
// open: tcp_try_undo_dsack, TCPDSACKUndo. The count is this seed's outcome (> 0 asserted, not a number);
// with the default hold the original always arrives first (above), so it is 0 there.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn } from "./inject.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";

const SER = 12_304; // (1500 + 14 + 4 + 8 + 12) bytes * 8 / 1 Gbit
const DEEP = 10 * SER;

function spec(hold?: number): WorldSpec {
  const s = pair({ rateBps: 1e9, delayNs: 50_000, durationNs: 100e6 }, [bulk()]);
  return { ...s, links: s.links.map((l) => ({ ...l, reorder: 0.01, ...(hold !== undefined ? { reorderDelayNs: hold } : {}) })) };
}

async function run(hold?: number) {
  const r = await runWorld(spec(hold));
  const { c } = clientConn(r.w);
  return { r, c, tx: r.report.hosts.a!.nstat, rx: r.report.hosts.b!.nstat, ledger: r.report.ledger };
}

describe("a deep reorderDelay widens RACK's reordering window through D-SACKs", () => {
  it("10 serialization times: spurious retransmissions, each D-SACKed, reo_wnd_steps grown past the hold; TCPDSACKUndo", async () => {
    const deep = await run(DEEP);
    const base = await run();
    for (const x of [deep, base]) {
      expect(x.ledger.unaccounted).toBe(0);
      expect(x.r.report.pool.balanced).toBe(true);
      // no loss: every retransmission is spurious, dropped by the receiver as old (tcp_sequence) and D-SACKed
      const retrans = x.tx.TcpRetransSegs ?? 0;
      expect(Object.keys(x.ledger.dropped).filter((k) => k !== "TCP_OLD_SEQUENCE")).toEqual([]);
      expect(x.ledger.dropped.TCP_OLD_SEQUENCE ?? 0).toBe(retrans);
      expect(x.rx.TcpExtTCPDSACKOldSent ?? 0).toBe(retrans);
      expect(x.tx.TcpExtTCPDSACKRecv ?? 0).toBe(retrans);
      // one step per D-SACK at most
      expect(x.c.reoWndSteps - 1).toBeLessThanOrEqual(x.tx.TcpExtTCPDSACKRecv ?? 0);
    }
    // the deep hold outruns RACK's window: many more spurious retransmissions than the default hold
    expect(deep.tx.TcpRetransSegs).toBeGreaterThan(2 * (base.tx.TcpRetransSegs ?? 0));
    // D-SACKs grew the window, (min_rtt >> 2) * steps, until it covers the held frame's lag behind its successor
    expect(deep.c.reoWndSteps).toBeGreaterThan(1);
    expect((deep.c.minRttUs >> 2) * deep.c.reoWndSteps * 1000).toBeGreaterThanOrEqual(DEEP - SER);
    // a retransmission that beats its original: undone by the original's D-SACK; impossible with the default hold
    expect(deep.tx.TcpExtTCPDSACKUndo).toBeGreaterThan(0);
    expect(base.tx.TcpExtTCPDSACKUndo ?? 0).toBe(0);
  });

  it("is deterministic: the same world twice gives the same report", async () => {
    const a = await run(DEEP);
    const b = await run(DEEP);
    expect(JSON.stringify(b.r.report)).toBe(JSON.stringify(a.r.report));
  });
});
