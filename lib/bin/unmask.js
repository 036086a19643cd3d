#!/usr/bin/env node
// Committed shim so npm links the CLI at install time, before lib/dist is built.
require("../dist/cli/main.js").main(process.argv.slice(2)).then(
  (code) => process.stdout.write("", () => process.exit(code)),
  (e) => { process.stderr.write(`unmask: internal error: ${e && e.stack ? e.stack : e}\n`); process.exit(70); },
);
