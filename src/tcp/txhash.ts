// sk_txhash, the hash a socket's skbs carry (skb_set_hash_from_sk) and that picks their TX queue
// (netdev_pick_tx: skb_tx_hash, or among an XPS map's queues): its first value and its re-picks. Linux
// draws each from net_tx_rndhash (random); the model mixes the 4-tuple, then the old value and the
// re-pick count, so a run stays deterministic. A leaf module: the timers, the connect and the listener
// paths import it without pulling each other in.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { murmurFinal, murmurMix } from "../util/murmur.js";

/** net/ipv4/tcp_timer.c: tcp_write_timeout's sk_rethink_txhash (include/net/sock.h: only once sk_txhash is
 *  set, and while sk_txrehash, from net.core.txrehash, is on): a new sk_txhash, tp->timeout_rehash and
 *  TcpTimeoutRehash. Whether it re-picked; `n`: the socket's re-picks so far. Also a SYN's RTO (SYN_SENT). */
export function timeoutRehash(t: TcpHost, sk: TcpSock, n: number): boolean {
  if (sk.txhash === 0 || !t.txrehash) return false;
  sk.txhash = rethinkTxhash(sk.txhash, n);
  t.nstat.add(t.mib.TimeoutRehash);
  return true;
}

/** include/net/sock.h: sk_set_txhash -> net_tx_rndhash, a socket's (or request's) first txhash, random and
 *  nonzero; here a deterministic mix of its 4-tuple (tcp_v4_connect, tcp_conn_request, or the first
 *  segment of a socket that has none: data-out.ts). */
export function firstTxhash(sk: TcpSock): number {
  return txhashOf(sk.lport, sk.rport, sk.rkey);
}

/** firstTxhash by the 4-tuple's parts: also a cookie SYN-ACK's, whose request sock is freed once it is sent
 *  (tcp_conn_request draws tcp_rsk(req)->txhash for every request, cookie or not). The model's draw is this
 *  fixed mix, so a cookie SYN-ACK, its retransmitted SYNs' answers and the cookie child share one hash where
 *  6.12 draws each anew: deterministic, but correlated. */
export function txhashOf(lport: number, rport: number, rkey: number): number {
  return murmurFinal(murmurMix(murmurMix(0x9e3779b9, (lport << 16) | rport), rkey)) || 1;
}

/** include/net/sock.h: sk_set_txhash -> net_tx_rndhash, a new random nonzero hash; here a deterministic mix of
 *  the old one and the re-pick count `n`. */
export function rethinkTxhash(old: number, n: number): number {
  return murmurFinal(murmurMix(murmurMix(0x85ebca6b, old), n)) || 1;
}

/** txhashOf as an int32 (the same 32 bits): a u32 at or above 2^31 returned from a call V8 does not
 *  inline is a heap number, and a cookie SYN-ACK only stores it into the skb's u32 hash column. */
export function txhashOf32(lport: number, rport: number, rkey: number): number {
  return murmurFinal(murmurMix(murmurMix(0x9e3779b9, (lport << 16) | rport), rkey)) | 0 || 1;
}
