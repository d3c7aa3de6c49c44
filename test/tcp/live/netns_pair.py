# Shared by the live timer measurements (rto-wheel.py, delack-wheel.py): two namespaces NAME-a and NAME-b joined
# by a veth pair (veth0 10.216.0.1 in a, veth1 10.216.0.2 in b), deleted on exit; and the map from
# CLOCK_MONOTONIC to jiffies read from /proc/timer_list; and the capture of TCP frames on veth1 with their
# kernel timestamps.
import contextlib, json, re, socket, struct, subprocess, time

ADDR = "10.216.0.1"
PEER_ADDR = "10.216.0.2"


def _sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def netns_pair(name):
    a, b = f"{name}-a", f"{name}-b"
    try:
        _sh("ip", "netns", "add", a)
        _sh("ip", "netns", "add", b)
        _sh("ip", "-n", a, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", b)
        _sh("ip", "-n", a, "addr", "add", f"{ADDR}/24", "dev", "veth0")
        _sh("ip", "-n", b, "addr", "add", f"{PEER_ADDR}/24", "dev", "veth1")
        for ns, dev in ((a, "veth0"), (b, "veth1")):
            _sh("ip", "-n", ns, "link", "set", "lo", "up")
            _sh("ip", "-n", ns, "link", "set", dev, "up")
        yield a, b
    finally:
        for ns in (a, b):
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


def _timer_list_pair():
    txt = open("/proc/timer_list").read(200000)
    now = int(re.search(r"now at (\d+) nsecs", txt).group(1))
    jif = int(re.search(r"^jiffies: (\d+)", txt, re.M).group(1))
    return now, jif


def jiffy_map():
    """(hz, K) with jiffies = floor(mono_ns / (1e9 / hz)) + K: HZ from two reads 0.5 s apart, K as the mode."""
    n0, j0 = _timer_list_pair()
    time.sleep(0.5)
    n1, j1 = _timer_list_pair()
    hz = round((j1 - j0) * 1e9 / (n1 - n0) / 50) * 50
    if hz not in (100, 250, 300, 1000):
        raise SystemExit(f"hz: measured {hz}")
    jn = 10**9 // hz
    ks = {}
    for _ in range(9):
        n, j = _timer_list_pair()
        k = j - n // jn
        ks[k] = ks.get(k, 0) + 1
        time.sleep(0.013)
    return hz, max(ks, key=ks.get)


def capture_tcp(secs, keep):
    """Print, as one JSON line, keep(sport, dport, payload_len, flags, mono_ns) of every IPv4 TCP frame veth1 sees
    for `secs` seconds (None: left out); mono_ns is the frame's SO_TIMESTAMPNS on CLOCK_MONOTONIC."""
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
        sec, nsec = struct.unpack("qq", anc[0][2][:16])
        item = keep(sport, dport, tot - ihl - doff, data[ihl + 13], sec * 10**9 + nsec - off)
        if item is not None:
            out.append(item)
    print(json.dumps(out), flush=True)
