// An IPv4 raw IP_HDRINCL sender (the syn-flood traffic, as hping3) does not count IpOutRequests: net/ipv4/raw.c
// raw_send_hdrinc hands the skb to NF_HOOK(NF_INET_LOCAL_OUT, dst_output) itself, and IPSTATS_MIB_OUTREQUESTS is
// counted only in __ip_local_out (net/ipv4/ip_output.c), which it does not call. A TCP socket's segments
// (ip_queue_xmit -> ip_local_out) do count it. (review12c finding 3.)
import { describe, expect, it } from "vitest";
import { connect, run, serverWorld, synFlood } from "./helpers.js";

describe("raw_send_hdrinc and IpOutRequests", () => {
  it("10 SYN-flood SYNs (IPv4): the sender's IpOutRequests stays 0", async () => {
    const { report } = await run(serverWorld({ durationNs: 10e6 }, [synFlood(10)]));
    expect(report.traffic[0]!.packets).toBe(10);
    expect(report.hosts.client!.nstat.IpOutRequests ?? 0).toBe(0);
  });

  it("a connecting socket's SYN and handshake ACK count (ip_local_out): 2 per connection", async () => {
    const { report } = await run(serverWorld({ durationNs: 10e6 }, [connect(3)]));
    const n = report.hosts.client!.nstat;
    expect(n.IpOutRequests).toBe(n.TcpOutSegs);
    expect(n.TcpOutSegs).toBe(6);
  });
});
