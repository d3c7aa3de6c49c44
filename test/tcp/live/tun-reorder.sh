#!/usr/bin/env bash
# Reordering on the live kernel without netem (README, "Reordering on the live kernel"): two netns (reorder16a,
# reorder16b) joined by a user-space relay between a TUN device in each (tun-reorder-relay.py), which holds P of the
# packets of each direction until the next packet of that direction has passed (or 200 us); a cubic bulk
# flow reorder16a -> reorder16b for DUR seconds; then the sender's ss -ti line and both namespaces' nstat deltas.
# DELAY (s): a one-way delay the relay adds to every packet. Root; python3, iproute2.
# Usage: tun-reorder.sh [P=0.01] [SEED=1] [DUR=3] [DELAY=0]
set -e
P=${1:-0.01}; SEED=${2:-1}; DUR=${3:-3}; DELAY=${4:-0}
here=$(cd "$(dirname "$0")" && pwd); tmp=$(mktemp -d)
cleanup() { ip netns del reorder16a 2>/dev/null || true; ip netns del reorder16b 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
for n in reorder16a reorder16b; do
  ip netns del $n 2>/dev/null || true; ip netns add $n; ip -n $n link set lo up
  ip -n $n tuntap add mode tun name r16t; ip -n $n link set r16t txqueuelen 20000 up
done
ip -n reorder16a addr add 10.16.0.1/24 dev r16t
ip -n reorder16b addr add 10.16.0.2/24 dev r16t
python3 "$here/tun-reorder-relay.py" "$P" "$SEED" $((DUR + 3)) "$DELAY" > "$tmp/relay" &
RP=$!
sleep 0.5
ip netns exec reorder16b python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("10.16.0.2", 5001)); s.listen(1)
c, _ = s.accept()
while c.recv(1 << 20): pass' &
SP=$!
sleep 0.3
ip netns exec reorder16a nstat -n >/dev/null; ip netns exec reorder16b nstat -n >/dev/null
ip netns exec reorder16a python3 -c '
import socket, subprocess, sys, time
s = socket.socket(); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"cubic"); s.connect(("10.16.0.2", 5001))
buf = b"x" * 65536; end = time.time() + float(sys.argv[1])
while time.time() < end: s.send(buf)
print(subprocess.run(["ss", "-tin", "dst", "10.16.0.2"], capture_output=True, text=True).stdout)
s.close()' "$DUR"
sleep 0.5
echo "== sender (reorder16a) nstat"; ip netns exec reorder16a nstat | grep -E "Reorder|DSACK|Undo|Retrans|Recovery|Spurious|LossProbe|OutSegs"
echo "== receiver (reorder16b) nstat"; ip netns exec reorder16b nstat | grep -E "DSACK|OFO|InSegs"
wait $SP; wait $RP
echo "== relay"; cat "$tmp/relay"
echo "== TX drops (0: nothing lost)"; for n in reorder16a reorder16b; do ip -n $n -s link show r16t | awk '/TX:/{getline; print "'$n'", $4}'; done
