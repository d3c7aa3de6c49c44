// net/ipv4/tcp_output.c: tcp_select_window — with ICSK_ACK_NOMEM (tcp_data_queue dropped a segment for want of
// memory) it sets rcv_wnd = 0, rcv_wup = rcv_nxt and returns 0 at once, before its `new_win == 0 && old_win`
// TCPToZeroWindowAdv count. So the NOMEM zero window counts nothing; the next window has old_win = rcv_wnd = 0
// and, being non-zero, counts TCPFromZeroWindowAdv. (review13a #8)
import { describe, expect, it } from "vitest";
import { stalledReceiver } from "./helpers.js";
import { selectWindow } from "../../src/tcp/data-out.js";

describe("tcp_select_window's ICSK_ACK_NOMEM branch", () => {
  it("a NOMEM zero window is not TCPToZeroWindowAdv; the next one is TCPFromZeroWindowAdv", async () => {
    const { t, c, nstat } = await stalledReceiver();
    expect(c.rcvWnd).toBeGreaterThan(0);
    const to0 = nstat.get("TcpExtTCPToZeroWindowAdv");
    const from0 = nstat.get("TcpExtTCPFromZeroWindowAdv");
    c.ackNomem = true;
    expect(selectWindow(t, c)).toBe(0);
    expect([c.rcvWnd, c.rcvWup, c.ackNomem]).toEqual([0, c.rcvNxt, false]);
    expect(nstat.get("TcpExtTCPToZeroWindowAdv")).toBe(to0);
    expect(selectWindow(t, c)).toBeGreaterThan(0);
    expect(nstat.get("TcpExtTCPToZeroWindowAdv")).toBe(to0);
    expect(nstat.get("TcpExtTCPFromZeroWindowAdv")).toBe(from0 + 1);
  });
});
