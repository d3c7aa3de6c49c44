#!/usr/bin/env python3
# Live measurement of the delayed-ACK timer (icsk_delack_timer, a timer_list) on this kernel: two namespaces
# joined by a veth pair; one connection from <name>-a to <name>-b sends a 100-byte segment every 97 ms (TCP_NODELAY;
# 97 ms is not a whole number of 4 ms jiffies, so the phases vary) to a receiver that never reads (a read could
# ACK at once: tcp_cleanup_rbuf). Once the receiver's quick-ACK credits are spent (tcp_incr_quickack: 16) each
# segment's ACK waits for the timer (ato 40 ms). An AF_PACKET socket in <name>-b timestamps both the segment's
# arrival and the ACK's departure (SO_TIMESTAMPNS); times map to jiffies through /proc/timer_list as in
# rto-wheel.py. Prints JSON: {"hz", "pairs": [[data jiffy, ACK jiffy, µs between]]}.
# usage: delack-wheel.py NAME [SEGMENTS]   (root; creates and deletes namespaces NAME-a and NAME-b)
import json, os, socket, struct, subprocess, sys, time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_pair import jiffy_map, netns_pair, PEER_ADDR  # noqa: E402

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
    # ETH_P_ALL: a protocol-bound packet socket sees only received frames, not sent ones (dev_queue_xmit_nit)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0003))
    s.bind(("veth1", 0))
    s.setsockopt(socket.SOL_SOCKET, 35, 1)  # SO_TIMESTAMPNS
    s.settimeout(0.2)
    off = time.clock_gettime_ns(time.CLOCK_REALTIME) - time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    print("capturing", flush=True)
    out = []
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            data, anc, _, addr = s.recvmsg(128, 64)
        except socket.timeout:
            continue
        if addr[1] != 0x0800 or data[9] != 6:
            continue
        ihl = (data[0] & 15) * 4
        tot = struct.unpack("!H", data[2:4])[0]
        sport, dport = struct.unpack("!HH", data[ihl : ihl + 4])
        doff = (data[ihl + 12] >> 4) * 4
        flags = data[ihl + 13]
        sec, nsec = struct.unpack("qq", anc[0][2][:16])
        t = sec * 10**9 + nsec - off
        if dport == PORT and tot - ihl - doff > 0:
            out.append(("data", t))
        elif sport == PORT and tot - ihl - doff == 0 and flags == 0x10:
            out.append(("ack", t))

    print(json.dumps(out), flush=True)


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
