// tcp_event_data_sent's pingpong test at HZ=250 (6.12 net/ipv4/tcp_output.c): data sent while
// `(u32)(now - icsk_ack.lrcvtime) < icsk_ack.ato`, both tcp_jiffies32, is a reply (inet_csk_inc_pingpong_cnt).
// At HZ=250 both stamps are jiffies (4 ms): a segment received in jiffy 75 (303 ms, lrcvtime 75) and a reply in
// jiffy 85 (341 ms) are 10 jiffies apart, not below ato = TCP_ATO_MIN = HZ/25 = 10 jiffies: not a reply, though
// only 38 ms passed. Receiver: quietReceiver (ato 40 ms, the delayed ACK for the segment due at jiffy 86).
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { appSend } from "../../src/tcp/data-out.js";

async function replyAfter(ns: number) {
  const r = await quietReceiver();
  r.t.hz = 250;
  expect(Math.floor(r.w.loop.now / 4e6)).toBe(75);
  r.rcv(0, 100);
  r.run(ns);
  expect(r.c.pingpong).toBe(0);
  const jiffy = Math.floor(r.w.loop.now / 4e6);
  appSend(r.t, r.sk, r.c, 100);
  return { jiffy, pingpong: r.c.pingpong, c: r.c };
}

describe("tcp_event_data_sent: the pingpong test on jiffies at HZ=250", () => {
  it("a reply in jiffy 85, 38 ms after the data (jiffy 75): 10 jiffies, not < ato (10): pingpong stays 0", async () => {
    const r = await replyAfter(38e6);
    expect(r.jiffy).toBe(85);
    // before (ms stamps): 341 - 303 = 38 ms < 40 ms: pingpong 1
    expect(r.c.sndNxt - r.c.sndUna).toBe(100);
    expect(r.pingpong).toBe(0);
  });

  it("a reply in jiffy 84, 34 ms after: 9 jiffies < 10: a reply, pingpong 1", async () => {
    const r = await replyAfter(34e6);
    expect(r.jiffy).toBe(84);
    expect(r.pingpong).toBe(1);
  });
});
