// review14b #8: IPv6 SYN cookies use net/ipv6/syncookies.c's own msstab
// {1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60} = {1220, 1420, 1440, 8940}, not IPv4's {536, 1300, 1440, 1460}.
// Live 6.18.44 (two namespaces, veth MTU 9000, IPv6, one connect(), `ss -tin` on the server's child):
// tcp_syncookies=1 (a request sock) mss:8928, tcp_syncookies=2 (a cookie) mss:8928 as well; at MTU 1400 the
// cookie child has mss:1208 (1220 - 12), the request child 1328. The model's cookie child gets 1460 - 12 = 1448
// at MTU 9000, so a 20000-byte response leaves in 14 segments instead of 3.
import { describe, expect, it } from "vitest";
import { loadScenarioText } from "../../src/scenario/load.js";
import { runScenario } from "../../src/run-scenario.js";
import { listenerWindows } from "../../src/tcp/window.js";
import { MSSTAB } from "../../src/tcp/cookie.js";

async function serverOutSegs(syncookies: number): Promise<number> {
  const doc = {
    name: "r14b-v6-cookie",
    seed: 1,
    duration: "50ms",
    hosts: {
      server: { addr: "fd00::1", nic: { mtu: 9000 }, sysctl: { "net.ipv4.tcp_syncookies": syncookies } },
      client: { addr: "fd00::2", nic: { mtu: 9000 } },
    },
    links: [{ a: "client", b: "server", rate: "10Gbit", delay: "10us" }],
    traffic: [{ kind: "rr", from: "client", to: "server:5002", request: 100, response: 20000, count: 3 }],
  };
  const r = await runScenario(loadScenarioText(JSON.stringify(doc), "probe"));
  expect(r.hosts["server"]!.nstat["TcpExtSyncookiesRecv"] ?? 0).toBe(syncookies === 2 ? 1 : 0);
  return r.hosts["server"]!.nstat["TcpOutSegs"]!;
}

describe("IPv6 cookie MSS from the IPv6 msstab", () => {
  it("MTU 9000: a cookie child sends as a request child does (mss 8928): same TcpOutSegs", async () => {
    const req = await serverOutSegs(1);
    const cookie = await serverOutSegs(2);
    expect(cookie).toBe(req); // before: 44 vs 11 (the IPv4 table: 1460)
  });
});

describe("cookie_v6_check's window: tcp_select_initial_window with the IPv6 msstab MSS", () => {
  it("full space 65536: an 8940 cookie gets rcv_wnd 62580 (7 x 8940), IPv4's 1460 entry 64240 (44 x 1460)", () => {
    const w = listenerWindows(65536, false, 1460, MSSTAB, 6291456, 212992);
    // rounddown(65536, mss): 53 x 1220, 46 x 1420, 45 x 1440, 7 x 8940
    expect(w.cookie6.map((x) => x.window)).toEqual([64660, 65320, 64800, 62580]);
    expect(w.cookie[3]!.window).toBe(64240);
  });
});
