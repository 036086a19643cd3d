import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { ROOT, tempDir } from "../helpers/paths";

// The package as npm would install it: `npm pack` of the lib workspace, extracted as
// node_modules/unmask of a fresh folder whose other node_modules entries link to the workspace's
// installed dependencies (nothing downloads). Whatever the `files` list or the `exports` map
// forgets (a compiled file, an asset, the viewer bundle, the CLI shim) fails here.

const LIB = path.join(ROOT, "lib");

interface Installed { dir: string; pkg: { exports: Record<string, unknown>; bin: Record<string, string> }; subpaths: string[] }
let installed: Installed | undefined;
after(() => { if (installed) fs.rmSync(path.dirname(installed.dir), { recursive: true, force: true }); });

function install(): Installed {
  if (installed) return installed;
  const dir = tempDir("unmask-pack-");
  // prepack bundles the viewer (esbuild); --ignore-scripts would ship without it.
  const out = execFileSync("npm", ["pack", "--pack-destination", dir, "--json", "--silent"], { cwd: LIB, encoding: "utf8" });
  const [{ filename }] = JSON.parse(out.slice(out.indexOf("["))) as { filename: string }[];
  const app = path.join(dir, "app");
  const target = path.join(app, "node_modules", "unmask");
  fs.mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", path.join(dir, path.basename(filename)), "-C", target, "--strip-components=1"]);
  // Dependencies: the lib workspace's own node_modules first (version-pinned there), then the root's.
  for (const from of [path.join(LIB, "node_modules"), path.join(ROOT, "node_modules")]) {
    if (!fs.existsSync(from)) continue;
    for (const name of fs.readdirSync(from)) {
      if (name === "unmask" || name === ".bin" || name.startsWith(".")) continue;
      const link = path.join(app, "node_modules", name);
      if (!fs.existsSync(link)) fs.symlinkSync(path.join(from, name), link);
    }
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(target, "package.json"), "utf8"));
  const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json").map((k) => (k === "." ? "unmask" : "unmask/" + k.slice(2)));
  installed = { dir: app, pkg, subpaths };
  return installed;
}

/** The value (runtime) names each declaration file exports, as TypeScript reads them (one program for all). */
function declaredValues(files: string[]): string[][] {
  const program = ts.createProgram(files, { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, types: [], skipLibCheck: true });
  const checker = program.getTypeChecker();
  return files.map((dts) => {
    const mod = checker.getSymbolAtLocation(program.getSourceFile(dts)!)!;
    return checker.getExportsOfModule(mod).filter((s) => {
      const t = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      return (t.flags & ts.SymbolFlags.Value) !== 0;
    }).map((s) => s.name).sort();
  });
}

function node(app: string, script: string, type: "commonjs" | "module"): string {
  const file = path.join(app, type === "module" ? "check.mjs" : "check.cjs");
  fs.writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { cwd: app, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `${path.basename(file)}: ${r.stderr}`);
  return r.stdout;
}

test("the packed tarball answers require and import of every subpath with the names its declarations document", () => {
  const { dir, pkg, subpaths } = install();
  assert.ok(subpaths.length >= 10, `subpaths: ${subpaths.join(", ")}`);
  for (const [key, spec] of Object.entries(pkg.exports)) {
    if (key === "./package.json") continue;
    const types = (spec as { types: string }).types;
    assert.ok(fs.existsSync(path.join(dir, "node_modules", "unmask", types)), `${key}: ${types} is in the package`);
  }
  const dts = subpaths.map((s) => {
    const key = s === "unmask" ? "." : "./" + s.slice("unmask/".length);
    return path.join(dir, "node_modules", "unmask", (pkg.exports[key] as { types: string }).types);
  });
  const declared = declaredValues(dts);
  const expected: Record<string, string[]> = {};
  subpaths.forEach((s, i) => {
    expected[s] = declared[i];
    assert.ok(expected[s].length > 0, `${s} declares runtime names`);
  });
  const list = JSON.stringify(subpaths);
  const cjs = JSON.parse(node(dir, `const out = {}; for (const s of ${list}) out[s] = Object.keys(require(s)).sort(); console.log(JSON.stringify(out));`, "commonjs"));
  const esm = JSON.parse(node(dir, `const out = {}; for (const s of ${list}) out[s] = Object.keys(await import(s)).filter((k) => k !== "default" && k !== "module.exports").sort(); console.log(JSON.stringify(out));`, "module"));
  for (const s of subpaths) {
    assert.deepEqual(cjs[s], expected[s], `require("${s}")`);
    for (const name of expected[s]) assert.ok(esm[s].includes(name), `import("${s}") has ${name}`);
  }
  // The root stays small: the few names a notebook needs first.
  assert.ok(cjs.unmask.length <= 20, `root exports ${cjs.unmask.length} names`);
  // Internals are not reachable: only the exports map's subpaths resolve.
  const closed = node(dir, `for (const s of ["unmask/dist/surface/io", "unmask/dist/index.js", "unmask/surface/io"]) { try { require.resolve(s); console.log("open " + s); } catch (e) { console.log(e.code); } }`, "commonjs");
  assert.deepEqual(closed.trim().split("\n"), ["ERR_PACKAGE_PATH_NOT_EXPORTED", "ERR_PACKAGE_PATH_NOT_EXPORTED", "ERR_PACKAGE_PATH_NOT_EXPORTED"]);
});

test("the packed tarball carries its assets: the viewer bundle, the Haar cascade, and a CLI that runs --help", () => {
  const { dir, pkg } = install();
  const out = node(dir, `
    const { meshViewerHtml } = require("unmask/display");
    const { HAAR_CASCADE_PATH } = require("unmask/face");
    const fs = require("fs");
    const mesh = { positions: new Float32Array([0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10]), triangles: new Uint32Array([0, 1, 2, 0, 1, 3, 0, 2, 3, 1, 2, 3]) };
    const html = meshViewerHtml(mesh);
    console.log(JSON.stringify({ html: html.length, haar: fs.existsSync(HAAR_CASCADE_PATH) && HAAR_CASCADE_PATH.includes("node_modules"), cascadeBytes: fs.statSync(HAAR_CASCADE_PATH).size }));`, "commonjs");
  const r = JSON.parse(out);
  // The inlined viewer bundle (three.js + controls) is hundreds of kB; without it the page is a few kB.
  assert.ok(r.html > 100_000, `viewer page ${r.html} bytes`);
  assert.equal(r.haar, true);
  assert.ok(r.cascadeBytes > 100_000);
  const bin = path.join(dir, "node_modules", "unmask", pkg.bin.unmask);
  const help = spawnSync(process.execPath, [bin, "--help"], { cwd: dir, encoding: "utf8" });
  assert.equal(help.status, 0, help.stderr);
  for (const c of ["info", "surface", "render", "detect", "compare", "match", "view"]) assert.match(help.stdout, new RegExp(`\\n\\s+${c}\\b`), `--help lists ${c}`);
});

test("every CLI command's --help lists every option and argument its commander definition declares", async () => {
  const { buildProgram } = await import("unmask/cli");
  type Cmd = ReturnType<typeof buildProgram>;
  const leaves: { path: string[]; cmd: Cmd }[] = [];
  const walk = (c: Cmd, at: string[]) => {
    for (const sub of c.commands) {
      if (sub.commands.length) walk(sub, [...at, sub.name()]);
      else leaves.push({ path: [...at, sub.name()], cmd: sub });
    }
  };
  walk(buildProgram(), []);
  assert.ok(leaves.length >= 7, `${leaves.length} commands`);
  const CLI = path.join(LIB, "bin", "unmask.js");
  for (const { path: words, cmd } of leaves) {
    const r = spawnSync(process.execPath, [CLI, ...words, "--help"], { encoding: "utf8" });
    assert.equal(r.status, 0, `${words.join(" ")} --help: ${r.stderr}`);
    const flags = cmd.options.map((o) => o.long ?? o.short!);
    assert.ok(flags.length > 0, `${words.join(" ")} declares options`);
    for (const f of flags) assert.ok(r.stdout.includes(f), `unmask ${words.join(" ")} --help lists ${f}`);
    for (const o of cmd.options) if (o.description) assert.ok(r.stdout.replace(/\s+/g, " ").includes(o.description.replace(/\s+/g, " ")), `${words.join(" ")} ${o.long}: its description`);
    for (const a of cmd.registeredArguments) assert.ok(r.stdout.includes(a.name()), `unmask ${words.join(" ")} --help names <${a.name()}>`);
  }
});
