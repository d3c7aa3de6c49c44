#!/usr/bin/env python3
# Live measurement of the delayed-ACK timer (icsk_delack_timer, a timer_list) on this kernel: two namespaces
# joined by a veth pair; one connection from <name>-a to <name>-b sends a 100-byte segment every 97 ms (TCP_NODELAY;
# 97 ms is not a whole number of 4 ms jiffies, so the phases vary) to a receiver that never reads (a read could
# ACK at once: tcp_cleanup_rbuf). Once the receiver's quick-ACK credits are spent (tcp_incr_quickack: 16) each
# segment's ACK waits for the timer (ato 40 ms). An AF_PACKET socket in <name>-b timestamps both the segment's
# arrival and the ACK's departure (SO_TIMESTAMPNS); times map to jiffies through /proc/timer_list as in
# rto-wheel.py. Prints JSON: {"hz", "pairs": [[data jiffy, ACK jiffy, µs between]]}.
# usage: delack-wheel.py NAME [SEGMENTS]   (root; creates and deletes namespaces NAME-a and NAME-b)
import json, os, socket, subprocess, sys, time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_pair import capture_tcp, jiffy_map, netns_pair, PEER_ADDR  # noqa: E402

PORT = 5017
GAP = 0.097


def role_server():
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((PEER_ADDR, PORT))
    ls.listen(1)
    c = ls.accept()[0]
    print("accepted", flush=True)
    sys.stdin.readline()
    del c


def role_client(n):
    s = socket.create_connection((PEER_ADDR, PORT))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print("connected", flush=True)
    sys.stdin.readline()
    for _ in range(n):
        s.send(b"x" * 100)
        time.sleep(GAP)
    print("sent", flush=True)
    sys.stdin.readline()


def role_capture(secs):
    # the client's data segments and the server's pure ACKs
    def keep(sport, dport, plen, flags, t):
        if dport == PORT and plen > 0:
            return ("data", t)
        if sport == PORT and plen == 0 and flags == 0x10:
            return ("ack", t)
        return None

    capture_tcp(secs, keep)


def main():
    name = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    me = os.path.abspath(__file__)
    py = sys.executable
    pipe = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    with netns_pair(name) as (a, b):
        hz, k = jiffy_map()
        srv = subprocess.Popen(["ip", "netns", "exec", b, py, me, "--server"], **pipe)
        time.sleep(0.3)
        cli = subprocess.Popen(["ip", "netns", "exec", a, py, me, "--client", str(n)], **pipe)
        procs = [srv, cli]
        try:
            assert cli.stdout.readline().strip() == "connected"
            assert srv.stdout.readline().strip() == "accepted"
            time.sleep(0.5)
            cap = subprocess.Popen(["ip", "netns", "exec", b, py, me, "--capture", str(n * GAP + 1)], **pipe)
            procs.append(cap)
            assert cap.stdout.readline().strip() == "capturing"
            cli.stdin.write("go\n")
            cli.stdin.flush()
            pkts = json.loads(cap.stdout.readline())
        finally:
            for p in procs:
                p.kill()
                p.wait()
    jn = 10**9 // hz
    pairs = []
    last = None
    for kind, t in pkts:
        if kind == "data":
            last = t
        elif last is not None:
            pairs.append([last // jn + k, t // jn + k, (t - last) // 1000])
            last = None
    base = pairs[0][0] // 512 * 512 if pairs else 0
    print(json.dumps({"hz": hz, "pairs": [[d - base, a - base, us] for d, a, us in pairs]}))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--server":
        role_server()
    elif len(sys.argv) > 1 and sys.argv[1] == "--client":
        role_client(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--capture":
        role_capture(float(sys.argv[2]))
    else:
        main()
