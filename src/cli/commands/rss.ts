// skbsim rss: which RX queue does this flow land on? Toeplitz hash of the
// flow's addresses (and ports) with the NIC's key, then the indirection
// table, exactly as the simulator's NIC model steers received packets.
import { DEFAULT_RSS_KEY } from "../../core/rss.js";
import { formatOptions, intOption, parseArgs, type OptionSpec } from "../args.js";
import type { CliIo, Command } from "../command.js";
import { demoFlows, DEMO_GENERATED, DEMO_SEED, VECTOR_FLOWS } from "../demo-flows.js";
import { UsageError } from "../errors.js";
import { parseEthtoolX, type EthtoolRss } from "../ethtool.js";
import { FLOW_FORMS, parseFlow, type Flow } from "../flow.js";
import { formatHexKey, parseHexKey } from "../hex.js";
import { readTextInput } from "../input.js";
import { steerFlows, type RssSetup } from "../rss-compute.js";
import { flowTable, jsonLines, queueSpread } from "../rss-report.js";

/** Queues when neither --queues nor --ethtool says: a small multi-queue NIC
 *  (the 4 rings of the spec's worked examples), so the spread means something. */
export const DEFAULT_QUEUES = 4;
/** A common NIC table size (82599, ENA, sfc). */
export const DEFAULT_RETA_SIZE = 128;
export const QUEUES_MAX = 65535;
export const RETA_SIZE_MAX = 65536;
export const RETA_ENTRY_MAX = 65535;

const OPTIONS: readonly OptionSpec[] = [
  { name: "key", value: "HEX", help: "Toeplitz key, 4..52 bytes, 6d:5a:56:… or 6d5a56… (default: MS sample key)" },
  { name: "queues", value: "N", help: `RX queues 1..${QUEUES_MAX}; table entry i = i % N (default ${DEFAULT_QUEUES})` },
  { name: "reta-size", value: "N", help: `table entries, a power of two 1..${RETA_SIZE_MAX} (default ${DEFAULT_RETA_SIZE})` },
  { name: "reta", value: "\"Q0 Q1 …\"", help: "explicit table, one queue per entry; length a power of two" },
  { name: "l3", help: "hash addresses only (2-tuple, as rx-flow-hash tcp4 sd)" },
  { name: "ethtool", value: "FILE", help: "key, table and rings from saved `ethtool -x DEV` output" },
  { name: "flows-file", value: "FILE", help: "one FLOW per line, # comments; - reads standard input" },
  { name: "json", help: "one JSON object per line: {flow, hash, index, queue}" },
  { name: "demo", help: `${VECTOR_FLOWS.length} verification-vector flows + ${DEMO_GENERATED} generated (seed ${DEMO_SEED})` },
  { name: "help", short: "h", help: "show this help" },
];

const HELP = `Usage: skbsim rss [options] FLOW...
       skbsim rss [options] --flows-file FILE
       skbsim rss [options] --demo

Which RX queue does a flow land on? The NIC hashes the flow's source and
destination addresses and ports with its Toeplitz key; the low bits of the
hash index the indirection table (RETA), whose entry is the RX queue.

FLOW is SRC:SPORT-DST:DPORT, IPv6 in brackets:
  66.9.149.187:2794-161.142.100.80:1766
  [fe80::1]:80-[fe80::2]:443
With --l3 the ports may be left out: 66.9.149.187-161.142.100.80

Options:
${formatOptions(OPTIONS)}

Precedence: --key and --reta override the --ethtool file's key and table;
--queues or --reta-size rebuild the default table (as \`ethtool -L\` does).

Examples:
  skbsim rss --queues 4 66.9.149.187:2794-161.142.100.80:1766
  skbsim rss --ethtool eth0-x.txt --flows-file flows.txt
  ethtool -x eth0 > eth0-x.txt   # on the host whose NIC you want to model
`;

export const rssCommand: Command = {
  name: "rss",
  summary: "which RX queue a flow lands on (Toeplitz hash + indirection table)",
  help: () => HELP,
  run,
};

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS, { command: "skbsim rss", positionals: "FLOW" });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return 0;
  }
  const v = args.values;
  const l4 = !args.flags.has("l3");
  const json = args.flags.has("json");

  let eth: EthtoolRss | null = null;
  const ethPath = v.get("ethtool");
  if (ethPath !== undefined) {
    eth = parseEthtoolX(await readTextInput("--ethtool", ethPath, io, "saved `ethtool -x DEV` output"), ethPath === "-" ? "<stdin>" : ethPath);
    for (const n of eth.notes) io.stderr(`skbsim: note: ${n}\n`);
  }
  const setup = resolveSetup(v, eth, l4);
  const flows = await collectFlows(args.positionals, v.get("flows-file"), args.flags.has("demo"), l4, io);

  const results = await steerFlows(setup, flows);
  if (json) {
    io.stdout(jsonLines(results));
    return 0;
  }
  let s = `${describe(setup)}\n\n${flowTable(results)}`;
  if (results.length > 1) s += `\n${queueSpread(results, setup.reta)}`;
  io.stdout(s);
  return 0;
}

interface Described extends RssSetup {
  keyFrom: string;
  retaFrom: string;
}

function resolveSetup(v: ReadonlyMap<string, string>, eth: EthtoolRss | null, l4: boolean): Described {
  let key: Uint8Array = DEFAULT_RSS_KEY.slice();
  let keyFrom = "Microsoft sample key";
  if (eth?.key) {
    key = eth.key;
    keyFrom = `from ${eth.device ?? "--ethtool"}`;
  }
  const keyText = v.get("key");
  if (keyText !== undefined) {
    key = parseHexKey(keyText, "--key");
    keyFrom = "--key";
  }

  const queuesText = v.get("queues");
  const sizeText = v.get("reta-size");
  const retaText = v.get("reta");
  const queues = queuesText === undefined ? undefined : intOption("--queues", queuesText, 1, QUEUES_MAX);
  let size: number | undefined;
  if (sizeText !== undefined) {
    size = intOption("--reta-size", sizeText, 1, RETA_SIZE_MAX, ", a power of two");
    if ((size & (size - 1)) !== 0) throw new UsageError("--reta-size", `${size} is not a power of two`, `a power of two 1..${RETA_SIZE_MAX}, e.g. 128 or 512`);
  }

  if (retaText !== undefined) {
    if (size !== undefined) throw new UsageError("--reta-size", "conflicts with --reta", "give the table with --reta or its size with --reta-size, not both");
    const reta = parseReta(retaText, queues);
    return { key, reta, l4, keyFrom, retaFrom: "--reta" };
  }
  if (eth?.reta && queues === undefined && size === undefined) {
    return { key, reta: Uint32Array.from(eth.reta), l4, keyFrom, retaFrom: `from ${eth.device ?? "--ethtool"}` };
  }
  const n = queues ?? eth?.rings ?? DEFAULT_QUEUES;
  if (n < 1 || n > QUEUES_MAX) {
    throw new UsageError("--ethtool", `the device has ${n} RX rings`, `give --queues N (1..${QUEUES_MAX})`);
  }
  const s = size ?? eth?.reta?.length ?? DEFAULT_RETA_SIZE;
  const reta = new Uint32Array(s);
  for (let i = 0; i < s; i++) reta[i] = i % n; // include/linux/ethtool.h: ethtool_rxfh_indir_default
  return { key, reta, l4, keyFrom, retaFrom: `default fill i % ${n}` };
}

function parseReta(text: string, queues: number | undefined): Uint32Array {
  const allowed = `queue numbers separated by spaces or commas, count a power of two up to ${RETA_SIZE_MAX}`;
  const tokens = text.split(/[\s,]+/).filter((t) => t.length > 0);
  if (tokens.length === 0) throw new UsageError("--reta", "is empty", allowed);
  const max = queues === undefined ? RETA_ENTRY_MAX : queues - 1;
  const reta = new Uint32Array(tokens.length);
  tokens.forEach((t, i) => {
    if (!/^[0-9]+$/.test(t)) throw new UsageError("--reta", `entry ${i} "${t}" is not a queue number`, allowed);
    const q = Number(t);
    if (q > max) {
      const why = queues === undefined ? `queues 0..${RETA_ENTRY_MAX} (queue_mapping is a u16)` : `queues 0..${max} with --queues ${queues}`;
      throw new UsageError("--reta", `entry ${i} is ${t}`, why);
    }
    reta[i] = q;
  });
  const n = reta.length;
  if (n > RETA_SIZE_MAX || (n & (n - 1)) !== 0) {
    throw new UsageError("--reta", `has ${n} entries, not a power of two`, `${allowed}; the NIC indexes it with hash & (size - 1)`);
  }
  return reta;
}

async function collectFlows(
  positionals: readonly string[],
  file: string | undefined,
  demo: boolean,
  l4: boolean,
  io: CliIo,
): Promise<Flow[]> {
  if (demo) {
    if (positionals.length || file !== undefined) {
      throw new UsageError("--demo", "brings its own flows", "give --demo alone, or FLOWs / --flows-file without it");
    }
    return demoFlows();
  }
  const flows = positionals.map((p) => checkPorts(parseFlow(p), l4));
  if (file !== undefined) {
    const text = await readTextInput("--flows-file", file, io, "one FLOW per line");
    const name = file === "-" ? "<stdin>" : file;
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/#.*/, "").trim();
      if (line) flows.push(checkPorts(parseFlow(line, `${name}:${i + 1}`), l4, `${name}:${i + 1}`));
    });
    if (flows.length === 0) throw new UsageError("--flows-file", `"${file}" holds no flows`, `one FLOW per line: ${FLOW_FORMS}`);
  }
  if (flows.length === 0) {
    throw new UsageError("FLOW", "none given", `one or more ${FLOW_FORMS}; or --flows-file FILE, or --demo`);
  }
  return flows;
}

function checkPorts(f: Flow, l4: boolean, where?: string): Flow {
  if (l4 && f.sport === null) {
    throw new UsageError(`${where ? `${where}: ` : ""}flow "${f.text}"`, "has no ports for the 4-tuple hash", "SRC:SPORT-DST:DPORT, or --l3 to hash addresses only");
  }
  return f;
}

function describe(s: Described): string {
  const k = formatHexKey(s.key);
  const keyShort = s.key.length > 8 ? `${k.slice(0, 11)}:…:${k.slice(-11)}` : k;
  const queues = new Set(s.reta);
  const input = s.l4 ? "src|dst|sport|dport (4-tuple)" : "src|dst (2-tuple, --l3)";
  return (
    `toeplitz over ${input}; key ${keyShort} (${s.key.length} bytes, ${s.keyFrom}); ` +
    `RETA ${s.reta.length} entries over ${queues.size} queue${queues.size === 1 ? "" : "s"} (${s.retaFrom})`
  );
}
