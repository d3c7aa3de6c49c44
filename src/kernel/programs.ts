// The two tiny programs a kernel case runs inside the namespaces (python3,
// passed with -c). Both print one line when their work is done and then wait
// for stdin to close, holding their sockets open while ss and nstat read.
import { existsSync } from "node:fs";

/**
 * listen(backlog) and never accept(). CPython passes a backlog ≥ 0 to
 * listen() as is (a negative one becomes 0, so listen(-1) cannot be tested
 * from Python — callers keep backlog ≥ 0).
 */
export const LISTENER_PY = `
import socket, sys
addr, port, backlog = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(backlog)
print("ready", flush=True)
sys.stdin.read()
`;

/**
 * count non-blocking connect()s, one every gap_us microseconds on an absolute
 * schedule (so a slow iteration does not stretch the rest).
 */
export const CLIENTS_PY = `
import errno, socket, sys, time
addr, port, count, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) / 1e6
socks = []
t0 = time.monotonic()
for i in range(count):
    d = t0 + i * gap - time.monotonic()
    if d > 0:
        time.sleep(d)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    e = s.connect_ex((addr, port))
    if e not in (0, errno.EINPROGRESS):
        print("connect error %d" % e, flush=True)
        sys.exit(3)
    socks.append(s)
print("done", flush=True)
sys.stdin.read()
`;

/** The system python3 if there is one (a pyenv shim costs ~100 ms a start), else python3 from PATH. */
export function python3(): string {
  for (const p of ["/usr/bin/python3", "/usr/local/bin/python3"]) if (existsSync(p)) return p;
  return "python3";
}
