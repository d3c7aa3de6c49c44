// The package in a real browser: Debian's Chromium, driven by playwright-core,
// loads web/test.html from a loopback static server (web/serve.js), which
// imports dist/browser.js through an import map and fetches build/skbsim.wasm.
// Needs `npm run build` first (npm test does it). Skips when Chromium is absent.
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startServer } from "../../web/serve.js";
import { createCore } from "../../src/core/node.js";

const CHROMIUM = process.env.SKBSIM_CHROMIUM ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const BUILT = existsSync(new URL("../../dist/browser.js", import.meta.url)) && existsSync(new URL("../../build/skbsim.wasm", import.meta.url));

// The probe's flags: the machine has no outside network, so every background
// connection Chromium tries would be refused (or hang on DNS).
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/** A fixed alloc/free script; its outcome is compared between Node and Chromium. */
const POOL_SCRIPT: ReadonlyArray<readonly ["alloc" | "free", number]> = [
  ["alloc", 10], ["free", 4], ["alloc", 20], ["free", 13], ["alloc", 40], ["free", 2], ["alloc", 5],
];

interface PoolTrace {
  handles: number[][];
  stats: Record<string, number>;
}

/** Runs POOL_SCRIPT against a Core; `core` is duck-typed so the same source runs in the page. */
function runPoolScript(core: {
  allocBurst(n: number): number;
  freeBurst(n: number): number;
  scratch: Uint32Array;
  poolStats(): object;
}, script: ReadonlyArray<readonly [string, number]>): PoolTrace {
  const held: number[] = [];
  const handles: number[][] = [];
  for (const [op, n] of script) {
    if (op === "alloc") {
      const k = core.allocBurst(n);
      const got = Array.from(core.scratch.subarray(0, k));
      handles.push(got);
      held.push(...got);
    } else {
      const m = Math.min(n, held.length);
      for (let i = 0; i < m; i++) core.scratch[i] = held.shift()!;
      core.freeBurst(m);
    }
  }
  return { handles, stats: core.poolStats() as Record<string, number> };
}

// Intel 82599 datasheet 7.1.2.8.3 RSS verification suite (also DPDK app/test/test_thash.c),
// Microsoft key; input = src | dst [| sport | dport] in network order. 8 flows x (L3, L3+L4) = 16 hashes.
const RSS_KEY = "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa";
const RSS_VECTORS: ReadonlyArray<readonly [string, number, string, number, number, number]> = [
  ["66.9.149.187", 2794, "161.142.100.80", 1766, 0x323e8fc2, 0x51ccc178],
  ["199.92.111.2", 14230, "65.69.140.83", 4739, 0xd718262a, 0xc626b0ea],
  ["24.19.198.95", 12898, "12.22.207.184", 38024, 0xd2d0a5de, 0x5c2b394a],
  ["38.27.205.30", 48228, "209.142.163.6", 2217, 0x82989176, 0xafc7327f],
  ["153.39.163.191", 44251, "202.188.127.2", 1303, 0x5d1809c5, 0x10e828a2],
  ["3ffe:2501:200:1fff::7", 2794, "3ffe:2501:200:3::1", 1766, 0x2cc18cd5, 0x40207d3d],
  ["3ffe:501:8::260:97ff:fe40:efab", 14230, "ff02::1", 4739, 0x0f0c461c, 0xdde51bbf],
  ["3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251, "fe80::200:f8ff:fe21:67cf", 38024, 0x4b61e985, 0x02d1feef],
];

/** IPv4 dotted quad or IPv6 text (with at most one "::") to bytes. */
function addrBytes(a: string): number[] {
  if (!a.includes(":")) return a.split(".").map(Number);
  const [head = "", tail = ""] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const words = [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t].map((w) => parseInt(w, 16));
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

interface RssCase {
  src: number[];
  dst: number[];
  sport: number;
  dport: number;
  l3: number;
  l4: number;
}

const RSS_CASES: RssCase[] = RSS_VECTORS.map(([s, sport, d, dport, l3, l4]) => ({ src: addrBytes(s), dst: addrBytes(d), sport, dport, l3, l4 }));

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** Bare import specifiers reachable from dist/<entry>, each with the first file importing it. */
function bareImports(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const bare = new Map<string, string>();
  const IMPORT = /(?:^|[;\s])(?:import|export)\s*(?:[\w*{}\s,$]*?\sfrom\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith(".") || spec.startsWith("/")) walk(resolve(dirname(file), spec));
      else if (!bare.has(spec)) bare.set(spec, relative(REPO, file));
    }
  };
  walk(resolve(REPO, "dist", entry));
  return bare;
}

function importMap(page: string): Record<string, string> {
  const html = readFileSync(resolve(REPO, "web", page), "utf8");
  const m = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error(`web/${page} has no import map`);
  return (JSON.parse(m[1]!) as { imports: Record<string, string> }).imports;
}

function httpGet(url: string, path: string): Promise<{ status: number; type: string | undefined }> {
  return new Promise((ok, fail) => {
    const req = request(new URL(url), { method: "GET", path }, (res) => {
      res.resume();
      res.on("end", () => ok({ status: res.statusCode ?? 0, type: res.headers["content-type"] }));
    });
    req.on("error", fail);
    req.end();
  });
}

if (!HAVE_CHROMIUM) {
  describe("browser", () => {
    it("runs the package in Chromium", (ctx) => {
      ctx.skip(`skipped: ${CHROMIUM} not found (apt-get install chromium; .ci/run does)`);
    });
  });
} else {
  describe("browser (Chromium)", () => {
    let server: Awaited<ReturnType<typeof startServer>>;
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      if (!BUILT) throw new Error("dist/browser.js or build/skbsim.wasm is missing: run `npm run build` (npm test does)");
      server = await startServer();
      const { chromium } = await import("playwright-core");
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
      page = await browser.newPage();
      page.on("pageerror", (e) => pageErrors.push(`pageerror: ${e.message}`));
      page.on("console", (m) => {
        // Failed loads are checked by URL below; the one deliberate 404 is expected.
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(`console.error: ${m.text()}`);
      });
      page.on("response", (res) => {
        if (res.status() >= 400 && !res.url().endsWith("/build/nope.wasm")) pageErrors.push(`HTTP ${res.status()}: ${res.url()}`);
      });
      await page.goto(`${server.url}web/test.html`);
      await page.waitForFunction(() => (window as unknown as { skbsimReady?: string }).skbsimReady !== undefined);
      const ready = await page.evaluate(() => (window as unknown as { skbsimReady: string }).skbsimReady);
      if (ready !== "ok") throw new Error(`web/test.html could not import /dist/browser.js (a bare import missing from its import map?): ${ready}`);
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it("the server sends the MIME types module scripts and WebAssembly need, and nothing outside its folders", async () => {
      expect(await httpGet(server.url, "/build/skbsim.wasm")).toEqual({ status: 200, type: "application/wasm" });
      expect((await httpGet(server.url, "/dist/browser.js")).type).toMatch(/^text\/javascript/);
      expect((await httpGet(server.url, "/node_modules/@assemblyscript/loader/index.js")).type).toMatch(/^text\/javascript/);
      expect((await httpGet(server.url, "/package.json")).status).toBe(404);
      expect((await httpGet(server.url, "/dist/..%2fpackage.json")).status).toBe(404);
      expect((await httpGet(server.url, "/node_modules/vitest/package.json")).status).toBe(404);
    });

    it("the import maps of web/*.html cover every bare import of dist/browser.js, and the server serves them", async () => {
      const bare = bareImports("browser.js");
      expect(bare.get("@assemblyscript/loader")).toBe("dist/core/loader.js"); // the walker finds what it should
      expect([...bare.keys()].filter((s) => s.startsWith("node:")), "the browser entry must not reach Node built-ins").toEqual([]);
      for (const page of ["test.html", "index.html"]) {
        const map = importMap(page);
        for (const [spec, from] of bare) {
          expect(map[spec], `web/${page}: import map lacks "${spec}" (imported by ${from})`).toBeDefined();
          const got = await httpGet(server.url, map[spec]!);
          expect(got.status, `${map[spec]} for "${spec}"`).toBe(200);
          expect(got.type).toMatch(/^text\/javascript/);
        }
      }
    });

    it("createCore fetches the WASM from the default URL and builds the views", async () => {
      const r = await page.evaluate(async () => {
        const m = (window as any).skbsim;
        const core = await m.createCore({ skbs: 256, ringSlots: 1024, wheelEntries: 64 });
        return {
          exports: Object.keys(m).sort(),
          size: core.poolStats().size,
          headers: core.headers.byteLength,
          memory: core.memory.buffer.byteLength,
          planned: core.memoryBytes(),
          lenColumn: core.skb.len.length,
        };
      });
      expect(r.exports).toContain("createCore");
      expect(r.exports).toContain("Core");
      expect(r.size).toBe(256);
      expect(r.headers).toBe(256 * 128);
      expect(r.lenColumn).toBe(256);
      expect(r.planned).toBeGreaterThan(256 * 128);
      expect(r.memory).toBeGreaterThanOrEqual(r.planned);
    });

    it("createCore honours wasmUrl and reports a missing WASM by URL", async () => {
      const r = await page.evaluate(async () => {
        const m = (window as any).skbsim;
        const core = await m.createCore({ skbs: 8 }, { wasmUrl: "/build/skbsim.debug.wasm" });
        let error = "";
        try {
          await m.createCore({ skbs: 8 }, { wasmUrl: "/build/nope.wasm" });
        } catch (e) {
          error = String((e as Error).message);
        }
        return { size: core.poolStats().size, error };
      });
      expect(r.size).toBe(8);
      expect(r.error).toMatch(/cannot fetch the WASM core at \/build\/nope\.wasm: HTTP 404/);
    });

    it("refuses a bad config with the same typed error as in Node", async () => {
      const r = await page.evaluate(async () => {
        const m = (window as any).skbsim;
        try {
          await m.createCore({ skbs: 0 });
          return { name: "none", message: "" };
        } catch (e) {
          return { name: (e as Error).name, message: (e as Error).message, isConfigError: e instanceof m.ConfigError };
        }
      });
      expect(r).toMatchObject({ name: "ConfigError", isConfigError: true });
      expect(r.message).toMatch(/core\.skbs: 0 is not an integer in \[1, 2097152\]/);
    });

    it("an skb alloc/free round trip works and keeps the pool balanced", async () => {
      const r = await page.evaluate(async () => {
        const core = await (window as any).skbsim.createCore({ skbs: 32 });
        const buf = core.memory.buffer;
        const k = core.allocBurst(10, 1234);
        const hs: number[] = Array.from(core.scratch.subarray(0, k));
        const live = hs.map((h) => core.skb.live[h]);
        const born = hs.map((h) => core.skbTime.born[h]);
        for (const h of hs) {
          core.skb.hash[h] = 0xdeadbeef;
          core.headers[h * 128] = 0xab;
        }
        const afterAlloc = core.poolStats();
        const freed = core.freeBurst(10);
        const afterFree = core.poolStats();
        const k2 = core.allocBurst(40);
        const hashes = Array.from(core.scratch.subarray(0, k2)).map((h) => core.skb.hash[h as number]);
        return { k, hs, live, born, afterAlloc, freed, afterFree, k2, hashes, afterExhaust: core.poolStats(), sameBuffer: core.memory.buffer === buf };
      });
      expect(r.k).toBe(10);
      expect(new Set(r.hs).size).toBe(10);
      for (const h of r.hs) expect(h).toBeLessThan(32);
      expect(r.live).toEqual(Array(10).fill(1));
      expect(r.born).toEqual(Array(10).fill(1234));
      expect(r.afterAlloc).toMatchObject({ size: 32, live: 10, free: 22, allocated: 10, freed: 0 });
      expect(r.freed).toBe(10);
      expect(r.afterFree).toMatchObject({ live: 0, free: 32, allocated: 10, freed: 10 });
      // 40 asked of a 32-skb pool: 32 granted, 8 counted as allocFail; metadata reset on reuse.
      expect(r.k2).toBe(32);
      expect(r.hashes).toEqual(Array(32).fill(0));
      expect(r.afterExhaust).toMatchObject({ live: 32, free: 0, allocated: 42, freed: 10, allocFail: 8 });
      expect(r.sameBuffer).toBe(true);
    });

    it("the same alloc/free script gives the same handles and counters as in Node", async () => {
      const inPage = await page.evaluate(
        async ({ src, script }) => {
          const core = await (window as any).skbsim.createCore({ skbs: 48 });
          // eslint-disable-next-line no-new-func
          return new Function(`return (${src})`)()(core, script);
        },
        { src: runPoolScript.toString(), script: POOL_SCRIPT },
      );
      const inNode = runPoolScript(await createCore({ skbs: 48 }), POOL_SCRIPT);
      // By hand: live after each step 10, 6, 26, 13, 48 (35 of 40 granted), 46, 48 (2 of 5).
      expect(inNode.handles.map((h) => h.length)).toEqual([10, 20, 35, 2]);
      expect(inNode.stats).toMatchObject({ size: 48, live: 48, free: 0, allocated: 67, freed: 19, allocFail: 8 });
      expect(inPage).toEqual(inNode);
    });

    it("the 16 RSS verification hashes match through rssHash, RssContext.hashBytes and hashBurst", async () => {
      const r = await page.evaluate(
        async ({ keyHex, cases }) => {
          const m = (window as any).skbsim;
          const key = Uint8Array.from(keyHex.match(/../g)!.map((b: string) => parseInt(b, 16)));
          const input = (c: RssCase, l4: boolean) =>
            Uint8Array.from([...c.src, ...c.dst, ...(l4 ? [c.sport >> 8, c.sport & 0xff, c.dport >> 8, c.dport & 0xff] : [])]);
          const core = await m.createCore({ skbs: 64, retaMax: 128 });
          const ctxL4 = core.rss.create({ key, queues: 4, retaSize: 128, l4: true });
          const ctxL3 = core.rss.create({ key, queues: 4, retaSize: 128, l4: false });
          const hasRssHash = typeof m.rssHash === "function";
          const out = {
            hasRssHash,
            rssHash: hasRssHash ? cases.map((c) => [m.rssHash(key, input(c, false)), m.rssHash(key, input(c, true))]) : [],
            hashBytes: cases.map((c) => [ctxL3.hashBytes(input(c, false)), ctxL4.hashBytes(input(c, true))]),
            burst: [] as number[][],
          };
          // The hot path: real IPv4/IPv6 + TCP header bytes in the skbs, one WASM call per burst.
          for (const ctx of [ctxL3, ctxL4]) {
            const n = core.allocBurst(cases.length);
            const hs: number[] = Array.from(core.scratch.subarray(0, n));
            hs.forEach((h, i) => {
              const c = cases[i]!;
              const v6 = c.src.length === 16;
              const base = h * 128;
              const net = 14;
              const th = net + (v6 ? 40 : 20);
              core.headers.fill(0, base, base + 128);
              if (v6) {
                core.headers[base + net] = 0x60;
                core.headers[base + net + 6] = 6; // next header TCP
                core.headers.set(c.src, base + net + 8);
                core.headers.set(c.dst, base + net + 24);
              } else {
                core.headers[base + net] = 0x45;
                core.headers[base + net + 9] = 6; // protocol TCP
                core.headers.set(c.src, base + net + 12);
                core.headers.set(c.dst, base + net + 16);
              }
              core.headers.set([c.sport >> 8, c.sport & 0xff, c.dport >> 8, c.dport & 0xff], base + th);
              core.skb.protocol[h] = v6 ? 0x86dd : 0x0800;
              core.skb.network[h] = net;
              core.skb.transport[h] = th;
            });
            const hashed = ctx.hashBurst(n);
            out.burst.push([hashed, ...hs.map((h) => core.skb.hash[h]!), ...hs.map((h) => core.skb.queue[h]!)]);
            core.freeBurst(n);
          }
          return out;
        },
        { keyHex: RSS_KEY, cases: RSS_CASES },
      );
      const want = RSS_CASES.map((c) => [c.l3, c.l4]);
      expect(r.hasRssHash, "rssHash(key, bytes) is exported by the browser entry (src/api.ts)").toBe(true);
      expect(r.rssHash).toEqual(want);
      expect(r.hashBytes).toEqual(want);
      // RETA of 128 filled i % 4: queue = (hash & 127) % 4 = hash & 3.
      const l3 = RSS_CASES.map((c) => c.l3);
      const l4 = RSS_CASES.map((c) => c.l4);
      expect(r.burst[0]).toEqual([8, ...l3, ...l3.map((h) => h & 3)]);
      expect(r.burst[1]).toEqual([8, ...l4, ...l4.map((h) => h & 3)]);
    });

    it("the default scenario gives a byte-identical JSON report in Chromium and in Node (same seed)", async () => {
      const inPage = await page.evaluate(async () => {
        const m = (window as any).skbsim;
        const s = m.loadBuiltinScenario(m.DEFAULT_SCENARIO);
        const core = await m.createCore(m.coreConfigForScenario(s));
        return JSON.stringify(m.simulate(core, s));
      });
      const api = await import("../../src/index.js");
      const s = api.loadBuiltinScenario(api.DEFAULT_SCENARIO);
      const inNode = JSON.stringify(api.simulate(await api.createCore(api.coreConfigForScenario(s)), s));
      expect(inNode.length).toBeGreaterThan(100);
      expect(inPage).toBe(inNode);
    });

    it("the demo page web/index.html steers its flows and agrees with the datasheet", async () => {
      const demo = await browser.newPage();
      const errors: string[] = [];
      demo.on("pageerror", (e) => errors.push(e.message));
      await demo.goto(`${server.url}web/`);
      await demo.waitForFunction(() => document.body.dataset.ready !== undefined);
      const rows = await demo.$$eval("#flows tbody tr", (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent ?? "")));
      await demo.close();
      expect(errors).toEqual([]);
      expect(rows.length).toBe(12);
      // First row: 66.9.149.187:2794 -> 161.142.100.80:1766, L3+L4 0x51ccc178; 4 queues, RETA 128.
      expect(rows[0]).toEqual(["66.9.149.187 :2794", "161.142.100.80 :1766", "0x51ccc178", String(0x51ccc178 & 127), String(0x51ccc178 & 3), "✓ 0x51ccc178"]);
      expect(rows.slice(0, 8).every((row) => row[5]!.startsWith("✓"))).toBe(true);
    });

    it("raised no page errors and no failed loads", () => {
      expect(pageErrors).toEqual([]);
    });
  });
}
