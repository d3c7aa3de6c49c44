// A tiny static file server for the browser demo and the browser test.
// It serves only what a page needs from the package folder: web/, dist/,
// build/ and the runtime dependencies that package.json lists (the import
// maps in web/*.html point at them). Nothing else is reachable, and paths
// cannot climb out of those folders.
//
//   node web/serve.js [port]    then open http://127.0.0.1:<port>/web/
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

const RUNTIME_DEPS = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).dependencies ?? {});

/** URL prefixes served, each mapped to a folder under the package root. */
export const SERVED = Object.freeze({
  "/web/": "web",
  "/dist/": "dist",
  "/build/": "build",
  ...Object.fromEntries(RUNTIME_DEPS.map((d) => [`/node_modules/${d}/`, `node_modules/${d}`])),
});

/** WebAssembly.instantiateStreaming and module scripts check these types. */
export const MIME = Object.freeze({
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".wat": "text/plain; charset=utf-8",
});

/** Map a request path to a file under ROOT, or null when it is not served. */
export function resolvePath(urlPath, root = ROOT) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split("?")[0].split("#")[0]);
  } catch {
    return null;
  }
  if (path === "/" || path === "/web") path = "/web/index.html";
  if (path.endsWith("/")) path += "index.html";
  for (const [prefix, dir] of Object.entries(SERVED)) {
    if (!path.startsWith(prefix)) continue;
    const base = resolve(root, dir);
    const file = resolve(base, normalize(path.slice(prefix.length)));
    return file === base || file.startsWith(base + sep) ? file : null;
  }
  return null;
}

/**
 * Start the server on host:port (port 0 = a free one). Resolves to
 * { server, url, close() } once listening; url ends with "/".
 */
export async function startServer({ port = 0, host = "127.0.0.1", root = ROOT } = {}) {
  const server = createServer(async (req, res) => {
    const file = req.method === "GET" || req.method === "HEAD" ? resolvePath(req.url ?? "/", root) : null;
    if (file === null) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not served\n");
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error("not a file");
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": MIME[extname(file)] ?? "application/octet-stream",
        "content-length": body.length,
        "cache-control": "no-store",
      });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok(undefined));
  });
  const addr = server.address();
  const url = `http://${host}:${typeof addr === "object" && addr ? addr.port : port}/`;
  return {
    server,
    url,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok(undefined));
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`usage: node web/serve.js [port]   (port: an integer in [0, 65535], got ${process.argv[2]})`);
    process.exit(2);
  }
  const { url } = await startServer({ port });
  console.log(`skbsim demo: ${url}web/  (serving ${join(ROOT, "{web,dist,build}")}; Ctrl-C to stop)`);
}
