# User-space relay between two TUN devices in two netns (tun-reorder.sh sets them up): holds back a fraction
# of the packets of each direction until the next packet of that direction has passed (depth-1 reordering,
# like skbsim's link model), or HOLD_MAX seconds; with DELAY (seconds) every packet first waits that long (a
# delay line, so the path has an RTT of 2 DELAY plus the relay's own). Prints what it did.
# Usage: tun-reorder-relay.py P SEED DURATION [DELAY]
import os, fcntl, struct, select, ctypes, random, time, sys, collections
libc = ctypes.CDLL("libc.so.6", use_errno=True)
TUNSETIFF = 0x400454ca; IFF_TUN = 1; IFF_NO_PI = 0x1000; CLONE_NEWNET = 0x40000000
def open_tun(ns, name):
    nsfd = os.open(f"/var/run/netns/{ns}", os.O_RDONLY); cur = os.open("/proc/self/ns/net", os.O_RDONLY)
    assert libc.setns(nsfd, CLONE_NEWNET) == 0
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    assert libc.setns(cur, CLONE_NEWNET) == 0
    os.close(nsfd); os.close(cur)
    return fd
p = float(sys.argv[1]); rnd = random.Random(int(sys.argv[2])); dur = float(sys.argv[3])
DELAY = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
HOLD_MAX = 0.0002
a = open_tun("reorder16a", "r16t"); b = open_tun("reorder16b", "r16t")
peer = {a: b, b: a}
line = {a: collections.deque(), b: collections.deque()}
held = {a: None, b: None}
stats = {"fwd": 0, "held": 0, "overtaken": 0, "timeout": 0}

def emit(fd, pkt, now):
    """A packet of direction fd leaves the delay line: held back (probability p), or sent, then the held one."""
    h = held[fd]
    if h is None and rnd.random() < p:
        held[fd] = (pkt, now); stats["held"] += 1; return
    os.write(peer[fd], pkt); stats["fwd"] += 1
    if h is not None:
        os.write(peer[fd], h[0]); held[fd] = None; stats["overtaken"] += 1; stats["fwd"] += 1

end = time.time() + dur
while time.time() < end:
    now = time.time()
    wait = HOLD_MAX
    for fd in (a, b):
        if line[fd]: wait = min(wait, max(0.0, line[fd][0][0] - now))
    r, _, _ = select.select([a, b], [], [], wait)
    now = time.time()
    for fd in r:
        line[fd].append((now + DELAY, os.read(fd, 65536)))
    for fd in (a, b):
        q = line[fd]
        while q and q[0][0] <= now:
            emit(fd, q.popleft()[1], now)
        h = held[fd]
        if h is not None and now - h[1] > HOLD_MAX:
            os.write(peer[fd], h[0]); held[fd] = None; stats["timeout"] += 1; stats["fwd"] += 1
print(stats, flush=True)
