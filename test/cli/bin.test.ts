// The installed entry point: bin/skbsim.js over the built dist/ (npm test
// builds first; a bare `vitest run` without a build skips this file).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const built = existsSync(`${root}dist/cli/main.js`);

describe.skipIf(!built)("bin/skbsim.js", () => {
  it("answers vector 1 and exits 2 with one line on a bad flow", async () => {
    const ok = await run(process.execPath, ["bin/skbsim.js", "rss", "--json", "--queues", "4", "66.9.149.187:2794-161.142.100.80:1766"], { cwd: root });
    expect(ok.stdout).toBe('{"flow":"66.9.149.187:2794-161.142.100.80:1766","hash":"0x51ccc178","index":120,"queue":0}\n');
    expect(ok.stderr).toBe("");
    const bad = await run(process.execPath, ["bin/skbsim.js", "rss", "1.2.3.4:80-5.6.7.8:70000"], { cwd: root }).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe('skbsim: flow "1.2.3.4:80-5.6.7.8:70000": destination port 70000 is out of range (ports 0..65535)\n');
  });
});
