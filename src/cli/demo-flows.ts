// The flows of `skbsim rss --demo`: the eight RSS verification vectors
// (82599 datasheet 7.1.2.8.3 / Microsoft "Verifying the RSS hash
// calculation"; docs: ../shared/linux/rx-tx-path.md section 10.1) and a
// fixed-seed set of client connections to one server, as a busy web server's
// NIC would see them.
import { Rng } from "../sim/rng.js";
import { parseFlow, type Flow } from "./flow.js";

export const VECTOR_FLOWS: readonly string[] = [
  "66.9.149.187:2794-161.142.100.80:1766",
  "199.92.111.2:14230-65.69.140.83:4739",
  "24.19.198.95:12898-12.22.207.184:38024",
  "38.27.205.30:48228-209.142.163.6:2217",
  "153.39.163.191:44251-202.188.127.2:1303",
  "[3ffe:2501:200:1fff::7]:2794-[3ffe:2501:200:3::1]:1766",
  "[3ffe:501:8::260:97ff:fe40:efab]:14230-[ff02::1]:4739",
  "[3ffe:1900:4545:3:200:f8ff:fe21:67cf]:44251-[fe80::200:f8ff:fe21:67cf]:38024",
];

export const DEMO_SEED = 1;
export const DEMO_GENERATED = 64;

/** Clients in 10.0.0.0/16 (and 2001:db8:1::/48 for every eighth) on ephemeral
 *  ports (net.ipv4.ip_local_port_range 32768..60999) to a server on 443. */
export function demoFlows(): Flow[] {
  const rng = new Rng(DEMO_SEED);
  const flows = VECTOR_FLOWS.map((t) => parseFlow(t));
  for (let k = 0; k < DEMO_GENERATED; k++) {
    const sport = rng.int(32768, 60999);
    const text =
      k % 8 === 7
        ? `[2001:db8:1::${rng.int(1, 0xffff).toString(16)}]:${sport}-[2001:db8::10]:443`
        : `10.0.${rng.int(0, 255)}.${rng.int(1, 254)}:${sport}-192.0.2.10:443`;
    flows.push(parseFlow(text));
  }
  return flows;
}
