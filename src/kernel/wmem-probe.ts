// Node-only: measure a TCP write-queue skb's truesize on the live kernel. In a fresh
// namespace over loopback, a connected socket is put in repair mode on its send queue
// (TCP_REPAIR, TCP_REPAIR_QUEUE = TCP_SEND_QUEUE), so tcp_write_xmit moves each skb to
// the retransmit queue without transmitting it and nothing ACKs it away; after each
// write of a known size, getsockopt(SO_MEMINFO) reads sk_wmem_queued. Each write makes
// one new skb (the write queue's tail is gone), so the growth is that skb's truesize.
import { readFileSync } from "node:fs";
import { exec } from "./exec.js";
import { addNamespace, deleteNamespace, namespaceName } from "./netns.js";
import { python3 } from "./programs.js";

const WMEM_PY = `
import socket, struct, sys
TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE, SO_MEMINFO = 19, 20, 2, 55
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.socket(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
c.connect(l.getsockname()); s, _ = l.accept()
c.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
c.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
def queued(): return struct.unpack("9I", c.getsockopt(socket.SOL_SOCKET, SO_MEMINFO, 36))[5]
out = []
for n in map(int, sys.argv[1:]):
    before = queued(); sent = c.send(b"x" * n); out.append(f"{sent}:{queued() - before}")
print(" ".join(out))
`;

/** One write: the bytes send() took and the growth of sk_wmem_queued. */
export interface WriteGrowth {
  sent: number;
  growth: number;
}

/** For each write of `sizes` bytes (each starts a new skb): what send() took (a loaded machine has
 *  been seen to take less than asked: a blocking send() may return early with part of it copied) and
 *  the growth of sk_wmem_queued. */
export async function measureWriteQueueTruesize(sizes: readonly number[]): Promise<WriteGrowth[]> {
  const ns = namespaceName("wmem");
  try {
    await addNamespace(ns);
    await exec("ip", ["-n", ns, "link", "set", "lo", "up"]);
    const r = await exec("ip", ["netns", "exec", ns, python3(), "-c", WMEM_PY, ...sizes.map(String)], { timeoutMs: 10_000 });
    return r.stdout.trim().split(/\s+/).map((pair) => {
      const [sent, growth] = pair.split(":").map(Number);
      return { sent: sent!, growth: growth! };
    });
  } finally {
    await deleteNamespace(ns);
  }
}

/** A slab cache's object size from SLUB's sysfs (/sys/kernel/slab/<name>/object_size), or null. */
export function slabObjectSize(name: string): number | null {
  try {
    return Number(readFileSync(`/sys/kernel/slab/${name}/object_size`, "utf8").trim());
  } catch {
    return null;
  }
}
