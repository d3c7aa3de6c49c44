// The listening application's accept() loop: accept() as soon as a child is
// queued (`accept: true`), never (`false`), or at most `rate` per second, each
// no earlier than `acceptDelay` after the child was queued. accept() pops the
// accept queue head (inet_csk_accept -> reqsk_queue_remove, sk_ack_backlog--).
import type { TcpHost } from "./tcp-host.js";
import type { ListenSock } from "./sock.js";
import { TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED } from "./constants.js";
import { tcpClose } from "./established.js";

/** sk_data_ready on the listener: schedule the next accept() if due. */
export function acceptWake(t: TcpHost, l: ListenSock): void {
  if (l.accept.kind === "never" || l.acceptEvent >= 0) return;
  const head = l.peek();
  if (head === null) return;
  let at = head.queuedAt + l.acceptDelay;
  if (l.accept.kind === "rate") {
    const next = l.lastAccept + 1e9 / l.accept.perSec;
    if (next > at) at = next;
  }
  if (at < t.now) at = t.now;
  l.acceptEvent = t.env.loop.at(at, t.kAccept, l.index);
}

export function acceptFire(t: TcpHost, l: ListenSock): void {
  l.acceptEvent = -1;
  const child = l.dequeue();
  if (child !== null) {
    l.lastAccept = t.now;
    l.acceptedTotal++;
    child.accepted = true;
    // net/ipv4/af_inet.c: __inet_accept -> sock_rps_record_flow(newsk): an ESTABLISHED child's sk_rxhash
    // (saved from the handshake's last ACK), recorded on the accepting application's CPU
    if (t.recordFlow !== null && child.state === TCP_ESTABLISHED) t.recordFlow(child.rxhash, t.appCpu(child.lport));
    // A child reset or closed by its peer while queued: the app reads EOF and closes.
    if (child.state === TCP_CLOSE) {
      if (child.slot >= 0) t.destroy(child);
    } else if (child.state === TCP_CLOSE_WAIT) tcpClose(t, child);
  }
  acceptWake(t, l);
}
