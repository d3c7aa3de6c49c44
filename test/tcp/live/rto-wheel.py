#!/usr/bin/env python3
# Live measurement of an established socket's loss-probe and retransmission timers (icsk_retransmit_timer, a
# timer_list) on this kernel: two namespaces joined by a veth pair; N connections from <name>-a to <name>-b each
# send one 100-byte segment (staggered, so their jiffy phases differ) after nftables in <name>-b drops every TCP
# segment to the port, so the sender's TLP and then its backed-off RTOs repeat. An AF_PACKET socket in <name>-b
# (ahead of the input hook) timestamps each copy (SO_TIMESTAMPNS). Times map to jiffies through /proc/timer_list
# (`now at` = CLOCK_MONOTONIC and `jiffies:` read together). Prints JSON: {"hz", "flows": [[us, [jiffies]]]},
# jiffies relative to a multiple of 512 below the first, us = µs into the first segment's jiffy.
# usage: rto-wheel.py NAME [FLOWS] [SECONDS]   (root; creates and deletes namespaces NAME-a and NAME-b)
import json, os, socket, subprocess, sys, time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_pair import capture_tcp, jiffy_map, netns_pair, PEER_ADDR  # noqa: E402

PORT = 5016


def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def role_server(n):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((PEER_ADDR, PORT))
    ls.listen(64)
    conns = [ls.accept()[0] for _ in range(n)]
    print("accepted", flush=True)
    sys.stdin.readline()  # held open (never read) until told to end
    del conns


def role_client(n, gap):
    socks = []
    for _ in range(n):
        s = socket.create_connection((PEER_ADDR, PORT))
        socks.append(s)
    print("connected", flush=True)
    sys.stdin.readline()  # the drop rule is in place
    for s in socks:
        s.send(b"x" * 100)
        time.sleep(gap)
    sys.stdin.readline()
    del socks


def role_capture(secs):
    # the client's data segments, originals and copies: (source port, time)
    capture_tcp(secs, lambda sport, dport, plen, flags, t: (sport, t) if dport == PORT and plen > 0 else None)


def main():
    name = sys.argv[1]
    nflows = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 16
    me = os.path.abspath(__file__)
    py = sys.executable
    pipe = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    with netns_pair(name) as (a, b):
        hz, k = jiffy_map()
        procs = []
        try:
            srv = subprocess.Popen(["ip", "netns", "exec", b, py, me, "--server", str(nflows)], **pipe)
            procs.append(srv)
            time.sleep(0.3)
            cli = subprocess.Popen(["ip", "netns", "exec", a, py, me, "--client", str(nflows), "0.0371"], **pipe)
            procs.append(cli)
            assert cli.stdout.readline().strip() == "connected"
            assert srv.stdout.readline().strip() == "accepted"
            time.sleep(0.5)  # handshakes' delayed ACKs and any window updates are over
            cap = subprocess.Popen(["ip", "netns", "exec", b, py, me, "--capture", str(secs)], **pipe)
            procs.append(cap)
            assert cap.stdout.readline().strip() == "capturing"
            sh("ip", "netns", "exec", b, "nft", "add table inet t16")
            sh("ip", "netns", "exec", b, "nft", "add chain inet t16 in { type filter hook input priority 0; }")
            sh("ip", "netns", "exec", b, "nft", f"add rule inet t16 in tcp dport {PORT} drop")
            cli.stdin.write("go\n")
            cli.stdin.flush()
            pkts = json.loads(cap.stdout.readline())
        finally:
            for p in procs:
                p.kill()
                p.wait()
    jn = 10**9 // hz
    flows = {}
    for sport, t in pkts:
        flows.setdefault(sport, []).append(t)
    first = min(ts[0] for ts in flows.values())
    base = (first // jn + k) // 512 * 512
    res = []
    for sport in sorted(flows, key=lambda p: flows[p][0]):
        ts = flows[sport]
        res.append([(ts[0] % jn) // 1000, [t // jn + k - base for t in ts]])
    print(json.dumps({"hz": hz, "flows": res}))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--server":
        role_server(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--client":
        role_client(int(sys.argv[2]), float(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--capture":
        role_capture(float(sys.argv[2]))
    else:
        main()
