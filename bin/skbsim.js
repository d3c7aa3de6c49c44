#!/usr/bin/env node
// skbsim command line. The code is in src/cli (built to dist/cli).
let cli;
try {
  cli = await import("../dist/cli/main.js");
} catch (e) {
  if (e && e.code === "ERR_MODULE_NOT_FOUND" && /Cannot find module '[^']*dist[\\/]cli[\\/]main\.js'/.test(String(e.message))) {
    process.stderr.write("skbsim: dist/ is not built; run `npm run build`\n");
    process.exit(1);
  }
  throw e;
}
await cli.run(process.argv.slice(2));
