// A write after close() queued the FIN (6.12 net/ipv4/tcp.c: tcp_sendmsg_locked): the socket is in FIN_WAIT1,
// neither ESTABLISHED nor CLOSE_WAIT, so sk_stream_wait_connect answers -EPIPE (any state but SYN_SENT /
// SYN_RECV), and do_error's sk_stream_error sends SIGPIPE unless MSG_NOSIGNAL; nothing is copied, the FIN stays
// the last sequence number. sk_err comes first (sock_error), is cleared as it is read, and raises no SIGPIPE.
import { describe, expect, it } from "vitest";
import { dataAckedNotClosed } from "./held-close.js";
import { EPIPE, MSG_NOSIGNAL, appSend, appWriteMore, xmitAll } from "../../src/tcp/data-out.js";
import { FIN_ALONE_SENT } from "../../src/tcp/fin.js";
import { TCP_ESTABLISHED, TCP_FIN_WAIT1 } from "../../src/tcp/constants.js";

/** include/uapi/asm-generic/errno.h: ETIMEDOUT (tcp_write_err's sk_err) */
const ETIMEDOUT = 110;

describe("writing after the FIN is queued (tcp_sendmsg_locked -> -EPIPE)", () => {
  it("close() then a write of 500 bytes: -EPIPE and one SIGPIPE; write_seq, the write queue and the wire unchanged", async () => {
    const { close, t, sk, c } = await dataAckedNotClosed();
    close(sk);
    expect(sk.state).toBe(TCP_FIN_WAIT1);
    // everything was sent: a FIN skb of its own, sent at once (sequence number write_seq)
    expect(c.finQueued).toBe(true);
    expect(c.finAlone).toBe(FIN_ALONE_SENT);
    const nxt = sk.sndNxt;
    const queued = c.wmemQueued(0);
    expect(appSend(t, sk, c, 500)).toBe(-EPIPE);
    expect(c.sigpipes).toBe(1);
    expect(c.writeSeq).toBe(1000);
    expect(c.wq.count).toBe(0);
    expect(c.wmemQueued(0)).toBe(queued);
    // nothing new after the FIN
    xmitAll(t, sk, c);
    expect(sk.sndNxt).toBe(nxt);
    // MSG_NOSIGNAL: the same error, no signal
    expect(appSend(t, sk, c, 500, MSG_NOSIGNAL)).toBe(-EPIPE);
    expect(c.sigpipes).toBe(1);
  });

  it("the bulk writer with bytes left when its socket was closed gives them up instead of queueing them past the FIN", async () => {
    const { close, t, sk, c } = await dataAckedNotClosed();
    close(sk);
    c.toWrite = 5000;
    appWriteMore(t, sk, c);
    expect(c.toWrite).toBe(0);
    expect(c.writeSeq).toBe(1000);
    expect(c.sigpipes).toBe(1);
  });

  it("sk_err is returned first, once (sock_error clears it), without SIGPIPE; then the socket takes data again", async () => {
    const { t, sk, c } = await dataAckedNotClosed();
    expect(sk.state).toBe(TCP_ESTABLISHED);
    c.sockErr = ETIMEDOUT;
    expect(appSend(t, sk, c, 500)).toBe(-ETIMEDOUT);
    expect(c.sockErr).toBe(0);
    expect(c.sigpipes).toBe(0);
    expect(c.writeSeq).toBe(1000);
    expect(appSend(t, sk, c, 500)).toBe(500);
    expect(c.writeSeq).toBe(1500);
  });
});
