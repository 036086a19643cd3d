import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers/paths";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "lib", "package.json"), "utf8")) as { exports: Record<string, unknown> };
const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json").map((k) => (k === "." ? "unmask" : "unmask/" + k.slice(2)));

test("every object or array an entry point exports is frozen, inside too: a caller cannot change it for everyone else", async () => {
  let checked = 0;
  const open: string[] = [];
  const deepFrozen = (v: unknown, seen = new Set<unknown>()): boolean => {
    if (!v || typeof v !== "object" || ArrayBuffer.isView(v) || seen.has(v)) return true;
    seen.add(v);
    return Object.isFrozen(v) && Object.values(v).every((x) => deepFrozen(x, seen));
  };
  for (const s of subpaths) {
    for (const [name, v] of Object.entries(await import(s) as Record<string, unknown>)) {
      if (name === "default" || !v || typeof v !== "object") continue;
      checked++;
      if (!deepFrozen(v)) open.push(`${s}: ${name}`);
    }
  }
  assert.ok(checked >= 20, `${checked} exported objects checked`);
  assert.deepEqual(open, [], `exported mutable values:\n${open.join("\n")}`);
});

test("each entry point freezes its constants when loaded alone (a fresh process per subpath)", () => {
  const script = `const out = []; for (const [n, v] of Object.entries(require(process.argv[1]))) if (v && typeof v === "object" && !Object.isFrozen(v)) out.push(n); console.log(JSON.stringify(out));`;
  for (const s of subpaths) {
    const r = spawnSync(process.execPath, ["-e", script, s], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split("\n").pop()!), [], s);
  }
});
