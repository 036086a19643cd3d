import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

test("without an X display, rendering is a typed EnvironmentError that says to use xvfb-run", () => {
  const script = `
    const u = require("unmask");
    u.renderMesh({ positions: new Float32Array([0,0,0, 1,0,0, 0,1,0]), triangles: new Uint32Array([0,1,2]) })
      .then(() => console.log(JSON.stringify({ ok: true })),
            (e) => console.log(JSON.stringify({ name: e.name, code: e.code, isUnmask: e instanceof u.UnmaskError, message: e.message })));`;
  const env = { ...process.env };
  delete env.DISPLAY;
  const r = spawnSync(process.execPath, ["-e", script], { env, encoding: "utf8", cwd: __dirname, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
  assert.equal(out.name, "EnvironmentError", r.stdout);
  assert.equal(out.code, "ENVIRONMENT");
  assert.equal(out.isUnmask, true);
  assert.match(out.message, /xvfb-run/);
});
