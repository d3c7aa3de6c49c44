// The report's `ss -lnt` and `ss -uamn` lines in the shape ss prints them. Live ss (iproute2 on 6.18.44, in
// a netns) for a listener on 0.0.0.0:7001 with listen(8), an IPv6-only one on [::]:7002 and a UDP socket:
//   State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess
//   LISTEN 0      8            0.0.0.0:7001      0.0.0.0:*
//   LISTEN 0      128             [::]:7002         [::]:*
//   UNCONN 0      0            0.0.0.0:9000      0.0.0.0:*
// (a dual-stack IPv6 socket shows *:7003 and *:*). State, Recv-Q, Send-Q are left-aligned, the address
// columns right-aligned with the colons in line. Recv-Q of a listener is its accept queue (sk_ack_backlog),
// Send-Q its backlog (sk_max_ack_backlog): inet_diag's idiag_rqueue / idiag_wqueue for TCP_LISTEN.
import { describe, expect, it } from "vitest";
import { loadScenarioText } from "../../src/scenario/load.js";
import { runScenario } from "../../src/run-scenario.js";
import { renderText } from "../../src/report/text.js";

async function text(addr: string, client: string): Promise<string> {
  const s = loadScenarioText(
    `name: ss
duration: 20ms
hosts:
  server:
    addr: "${addr}"
    sockets:
      - { listen: 7000, backlog: 8, accept: false }
      - { listen: 80, backlog: 4096 }
      - { udp: 9000 }
  client: { addr: "${client}" }
links:
  - { a: client, b: server }
traffic:
  - { kind: connect, from: client, to: server:7000, count: 12 }
`,
    "ss.yaml",
  );
  return renderText(await runScenario(s));
}

const block = (t: string, cmd: string) => {
  const lines = t.split("\n");
  const i = lines.indexOf(`$ ${cmd}`);
  return lines.slice(i + 1, i + 4);
};

describe("ss lines", () => {
  it("IPv4: peer 0.0.0.0:*, Recv-Q/Send-Q left-aligned, addresses aligned on the colon", async () => {
    const t = await text("10.0.0.2", "10.0.0.1");
    const [head, l80, l7000] = block(t, "ss -lnt");
    expect(head).toMatch(/^State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port$/);
    // listen(8), 12 clients, no accept(): 9 children (backlog + 1) in the accept queue
    expect(l7000).toMatch(/^LISTEN\s+9\s+8\s+0\.0\.0\.0:7000\s+0\.0\.0\.0:\*$/);
    expect(l80).toMatch(/^LISTEN\s+0\s+4096\s+0\.0\.0\.0:80\s+0\.0\.0\.0:\*$/);
    // columns start where their headers start (left-aligned), colons in line
    expect(l7000!.indexOf("9")).toBe(head!.indexOf("Recv-Q"));
    expect(l80!.indexOf("4096")).toBe(head!.indexOf("Send-Q"));
    expect(l80!.indexOf("0.0.0.0:")).toBe(l7000!.indexOf("0.0.0.0:"));
    const [uhead, udp] = block(t, "ss -uamn");
    expect(uhead).toContain("Peer Address:Port");
    expect(udp).toMatch(/^UNCONN\s+0\s+0\s+0\.0\.0\.0:9000\s+0\.0\.0\.0:\*\s+skmem:/);
  });

  it("IPv6: [::]:PORT and [::]:*", async () => {
    const t = await text("fd00::2", "fd00::1");
    const [, l80, l7000] = block(t, "ss -lnt");
    expect(l7000).toMatch(/^LISTEN\s+9\s+8\s+\[::\]:7000\s+\[::\]:\*$/);
    expect(l80).toMatch(/^LISTEN\s+0\s+4096\s+\[::\]:80\s+\[::\]:\*$/);
  });
});
