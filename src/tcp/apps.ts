// Applications on connected sockets: a bulk writer, a sink reader, and the
// two ends of a request/response exchange (netperf TCP_RR: write a request,
// wait for the whole response, repeat).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpApp, TcpConn } from "./conn.js";
import { appSend, appWriteMore, startReader, startWriter } from "./data-out.js";
import { connInit, type ConnOptions } from "./data-init.js";

/** What a listener's accepted connections run. */
export type ServerApp = ({ kind: "sink" } | { kind: "rr"; request: number; response: number }) & ConnOptions;

/** Server side: set up the child's data state and its application. */
export function serverAppStart(t: TcpHost, sk: TcpSock, app: ServerApp, peerWindow: number): TcpConn {
  const c = connInit(t, sk, app, peerWindow, sk.synRttNs);
  if (app.kind === "rr") c.app = rrServer(t, sk, app.request, app.response);
  startReader(t, c);
  return c;
}

/** Bulk sender: `bytes` (Infinity = until the run ends) as fast as the buffer
 *  allows or at `rate` bytes/s; closes after the last byte is ACKed. */
export function bulkStart(t: TcpHost, sk: TcpSock, c: TcpConn, bytes: number, rate: number): void {
  c.toWrite = bytes;
  c.writeRate = rate;
  c.closeWhenDone = bytes !== Infinity;
  c.app = { onWritable: (cc) => appWriteMore(t, sk, cc) };
  startWriter(t, sk, c);
}

/** What is still owed after a write that returned `n`: a failed write (a negative errno, e.g. -EPIPE once
 *  the socket's FIN is queued) ends the exchange (netperf exits on a send error). */
function sent(owed: number, n: number): number {
  return n < 0 ? 0 : owed - n;
}

/** netperf TCP_RR server: every `request` bytes read are answered with `response` bytes. */
function rrServer(t: TcpHost, sk: TcpSock, request: number, response: number): TcpApp {
  let got = 0;
  let owed = 0;
  const flush = (c: TcpConn): void => {
    if (owed > 0) owed = sent(owed, appSend(t, sk, c, owed));
  };
  return {
    onRead(c, n) {
      got += n;
      while (got >= request) {
        got -= request;
        owed += response;
      }
      flush(c);
    },
    onWritable: flush,
  };
}

export interface RrStats {
  transactions: number;
  /** Sum and count of transaction latencies (ns). */
  latencySum: number;
  latencies: number[];
}

/** netperf TCP_RR client: one request outstanding at a time, `count` transactions (Infinity = until the run ends). */
export function rrClientStart(t: TcpHost, sk: TcpSock, c: TcpConn, request: number, response: number, stats: RrStats, count = Infinity): void {
  let got = 0;
  let owed = 0;
  let sentAt = t.now;
  const send = (cc: TcpConn): void => {
    if (owed > 0) owed = sent(owed, appSend(t, sk, cc, owed));
  };
  c.app = {
    onRead(cc, n) {
      got += n;
      if (got >= response) {
        got -= response;
        stats.transactions++;
        const lat = t.now - sentAt;
        stats.latencySum += lat;
        if (stats.latencies.length < 100000) stats.latencies.push(lat);
        sentAt = t.now;
        // netperf -t TCP_RR with a transaction count: stop asking (the connection stays open)
        if (stats.transactions >= count) return;
        owed += request;
        send(cc);
      }
    },
    onWritable: send,
  };
  owed = request;
  send(c);
}
