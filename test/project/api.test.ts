import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { ROOT, tempDir } from "../helpers/paths";

const LIB = path.join(ROOT, "lib");
const pkg = JSON.parse(fs.readFileSync(path.join(LIB, "package.json"), "utf8")) as { exports: Record<string, string | { types: string }> };
/** Every public entry point's declaration file, by subpath ("unmask", "unmask/surface", …). */
const entries = Object.entries(pkg.exports)
  .filter(([k]) => k !== "./package.json")
  .map(([k, v]) => ({ subpath: k === "." ? "unmask" : "unmask/" + k.slice(2), dts: path.join(LIB, (v as { types: string }).types) }));

test("every exported name of every subpath has a TSDoc comment", () => {
  const program = ts.createProgram(entries.map((e) => e.dts), { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, types: [], skipLibCheck: true });
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  let count = 0;
  for (const e of entries) {
    const sf = program.getSourceFile(e.dts);
    assert.ok(sf, `${e.dts} exists (run npx tsc -b)`);
    for (const s of checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!)) {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      count++;
      if (ts.displayPartsToString(target.getDocumentationComment(checker)).trim() === "") missing.push(`${e.subpath}: ${s.name}`);
    }
  }
  assert.ok(count > 150, `${count} exported names checked`);
  assert.deepEqual(missing, [], `exported without a TSDoc comment:\n${missing.join("\n")}`);
});

test("the API reference (TypeDoc over every entry point) builds without a warning", () => {
  const out = tempDir("unmask-api-");
  try {
    // lib/typedoc.json treats warnings as errors; type checking is tsc's job (already done by the build).
    const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typedoc", "bin", "typedoc"), "--options", path.join(LIB, "typedoc.json"), "--skipErrorChecking", "--out", out], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /warning|error/i);
    // One page per entry point, and a page for a function of a domain.
    const modules = fs.readdirSync(path.join(out, "modules"));
    for (const e of entries) {
      const page = e.subpath === "unmask" ? "unmask.html" : e.subpath.slice("unmask/".length).replace(/\//g, "_") + ".html";
      assert.ok(modules.includes(page), `modules/${page} (have ${modules.join(", ")})`);
    }
    assert.ok(fs.readdirSync(path.join(out, "functions")).some((f) => /marchingCubes/.test(f)));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
