import { test } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers/paths";

// Every program a test runs and every Python module a test (or a script it uses) imports must come from
// a Debian package that scripts/setup.sh installs (APT_PACKAGES and what they depend on) or that every
// Debian system has (Essential). Found by scanning the sources of test/ and scripts/, mapped to
// packages with `dpkg -S`.

/** Source files under a folder (recursively), by extension. */
function sources(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...sources(p, exts));
    else if (exts.some((e) => ent.name.endsWith(e))) out.push(p);
  }
  return out;
}

/** Programs named literally as the first argument of a child-process call. */
export function programsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b(?:execFileSync|execFile|spawnSync|spawn|execSync|exec)\(\s*["'`]([^"'`]+)["'`]/g)) {
    const first = m[1].trim().split(/\s+/)[0];
    if (first && !first.includes("${")) out.push(first);
  }
  return out;
}

/**
 * Names of the outside reference tools (dcmtk's dcm*, gdcm*, dciodvfy, dcm2niix, tesseract, redis,
 * chromium) written as string literals anywhere, e.g. passed to a helper that runs them.
 */
export function toolNamesIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/["'`]((?:dcm[a-z0-9]+|gdcm[a-z]+|dciodvfy|tesseract|redis-server|redis-cli|chromium|xvfb-run|mmdebstrap)|\/usr\/bin\/[\w.+-]+)["'`]/g)) out.push(m[1]);
  return out;
}

/** Python modules imported by Python source, or by Python code inside strings of a TypeScript file. */
export function pythonImportsIn(text: string, isPython: boolean): string[] {
  const out = new Set<string>();
  const add = (list: string) => {
    for (const part of list.split(",")) {
      const name = part.trim().split(/\s+as\s+/)[0].split(".")[0];
      if (/^[A-Za-z_]\w*$/.test(name)) out.add(name);
    }
  };
  for (const m of text.matchAll(/(?:^|[;"'`\n]|\\n)[ \t]*import[ \t]+([A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?)*)[ \t]*(?=$|[;"'`\n]|\\n)/gm)) {
    // TypeScript's own imports carry quotes or braces and never end the statement right after the name.
    add(m[1]);
  }
  for (const m of text.matchAll(/(?:^|[;"'`\n]|\\n)[ \t]*from[ \t]+([A-Za-z_][\w.]*)[ \t]+import[ \t]/gm)) add(m[1]);
  void isPython;
  return [...out];
}

test("the scanners find programs and Python imports in TypeScript and Python text", () => {
  assert.deepEqual(programsIn(`execFileSync("dcmconv", ["+td"]); spawnSync("/usr/bin/python3", ["-c", "import vtk"]); spawn(cmd)`), ["dcmconv", "/usr/bin/python3"]);
  assert.deepEqual(toolNamesIn(`convert("ct-p14", CT_DIR, CT_SLICES, "dcmcjpeg", ["+el"]); tool("gdcmconv"); import * as d from "dcmjs";`), ["dcmcjpeg", "gdcmconv", "dcmjs"]);
  assert.deepEqual(pythonImportsIn(`const py = "import json,sys; import numpy as np\\nfrom pydicom import dcmread";\nimport * as fs from "node:fs";\nimport { x } from "y";`, false).sort(), ["json", "numpy", "pydicom", "sys"]);
  assert.deepEqual(pythonImportsIn(`import cv2\nfrom skimage.measure import marching_cubes\nimport os.path\n`, true).sort(), ["cv2", "os", "skimage"]);
});

test("every program and Python module the tests use is installed by scripts/setup.sh", () => {
  const files = [...sources(path.join(ROOT, "test"), [".ts", ".py"]), ...sources(path.join(ROOT, "scripts"), [".ts", ".py"])];
  const programs = new Map<string, string>(); // program → first file using it
  const modules = new Map<string, string>();
  const maybe = new Map<string, string>(); // tool-like string literals: checked when they name a program on PATH
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8");
    const rel = path.relative(ROOT, f);
    if (f.endsWith(".ts")) for (const p of programsIn(text)) if (!programs.has(p)) programs.set(p, rel);
    if (f.endsWith(".ts")) for (const p of toolNamesIn(text)) if (!programs.has(p) && !maybe.has(p)) maybe.set(p, rel);
    const local = new Set(fs.readdirSync(path.dirname(f)).filter((n) => n.endsWith(".py")).map((n) => n.slice(0, -3)));
    for (const m of pythonImportsIn(text, f.endsWith(".py"))) if (!local.has(m) && !modules.has(m)) modules.set(m, rel);
  }
  assert.ok(programs.has("/usr/bin/python3") && modules.has("vtk") && modules.has("yaml"), `the scan sees the known uses: ${[...programs.keys()]} / ${[...modules.keys()]}`);
  // node, npm and npx are the README's prerequisites, not Debian packages setup installs.
  for (const p of ["node", "npm", "npx", process.execPath]) programs.delete(p);

  // Python: which modules are the standard library, and where the others live.
  const py = `import importlib.util, json, sys
out = {}
for name in sys.argv[1:]:
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        out[name] = "stdlib"; continue
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        spec = None
    if spec is None: out[name] = None
    else: out[name] = spec.origin if spec.origin and spec.origin != "namespace" else list(spec.submodule_search_locations)[0]
print(json.dumps(out))`;
  const where = JSON.parse(execFileSync("/usr/bin/python3", ["-c", py, ...modules.keys()], { encoding: "utf8" })) as Record<string, string | null>;
  const paths = new Map<string, string>(); // thing → file to look up with dpkg -S
  const problems: string[] = [];
  for (const [m, file] of modules) {
    const w = where[m];
    if (w === "stdlib") continue;
    if (!w) problems.push(`Python module ${m} (imported in ${file}) is not installed at all`);
    else paths.set(`Python module ${m} (${file})`, fs.realpathSync(w));
  }
  for (const [p, file] of maybe) {
    if (programs.has(p)) continue;
    try {
      const resolved = p.startsWith("/") ? (fs.existsSync(p) ? p : "") : execFileSync("/bin/sh", ["-c", `command -v "$1"`, "sh", p], { encoding: "utf8" }).trim();
      if (resolved) paths.set(`program ${p} (${file})`, resolved);
    } catch { /* a package name or the like, not a program */ }
  }
  for (const [p, file] of programs) {
    let resolved: string;
    try {
      resolved = p.startsWith("/") ? p : execFileSync("/bin/sh", ["-c", `command -v "$1"`, "sh", p], { encoding: "utf8" }).trim();
    } catch {
      problems.push(`program ${p} (run in ${file}) is not on PATH`);
      continue;
    }
    paths.set(`program ${p} (${file})`, resolved);
  }
  // dpkg -S knows files by the path their package ships them at: try the path as found and its real path.
  const owner = (file: string): string | null => {
    for (const candidate of new Set([file, fs.realpathSync(file), file.replace(/^\/usr\/bin\//, "/bin/"), fs.realpathSync(file).replace(/^\/bin\//, "/usr/bin/")])) {
      try {
        const out = execFileSync("dpkg", ["-S", candidate], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
        const line = out.split("\n").find((l) => l && !l.startsWith("diversion by"));
        if (line) return line.split(":")[0].split(",")[0].trim();
      } catch { /* next candidate */ }
    }
    return null;
  };

  // What setup installs: APT_PACKAGES and their Depends/Pre-Depends (setup uses --no-install-recommends), plus Essential packages.
  const setup = fs.readFileSync(path.join(ROOT, "scripts", "setup.sh"), "utf8");
  const block = setup.match(/APT_PACKAGES=\(([\s\S]*?)\n\)/);
  assert.ok(block, "setup.sh has an APT_PACKAGES=( … ) array");
  const listed = block[1].split("\n").map((l) => l.replace(/#.*/, "")).join(" ").split(/\s+/).filter(Boolean);
  const db = execFileSync("dpkg-query", ["-W", "-f", "${Package}\t${Essential}\t${Depends}\t${Pre-Depends}\t${Provides}\n"], { encoding: "utf8", maxBuffer: 64 << 20 });
  const deps = new Map<string, string[][]>();
  const providers = new Map<string, string[]>();
  const essential: string[] = [];
  for (const line of db.split("\n").filter(Boolean)) {
    const [pkg, ess, dep, pre, prov] = line.split("\t");
    if (ess === "yes") essential.push(pkg);
    const alts = [dep, pre].filter(Boolean).join(", ").split(",").map((d) => d.split("|").map((a) => a.trim().split(/[\s:(]/)[0]).filter(Boolean)).filter((a) => a.length);
    deps.set(pkg, alts);
    for (const v of (prov ?? "").split(",").map((x) => x.trim().split(/[\s(]/)[0]).filter(Boolean)) providers.set(v, [...(providers.get(v) ?? []), pkg]);
  }
  const installed = new Set<string>();
  const queue = [...listed, ...essential];
  while (queue.length) {
    const p = queue.pop()!;
    const real = deps.has(p) ? [p] : providers.get(p) ?? [];
    for (const r of real) {
      if (installed.has(r)) continue;
      installed.add(r);
      for (const alt of deps.get(r) ?? []) {
        const pick = alt.find((a) => deps.has(a) || providers.has(a));
        if (pick) queue.push(pick);
      }
    }
  }
  for (const [what, file] of paths) {
    const pkg = owner(file);
    if (!pkg) problems.push(`${what}: ${file} belongs to no Debian package (setup cannot install it)`);
    else if (!installed.has(pkg)) problems.push(`${what}: ${file} is in Debian package ${pkg}, which scripts/setup.sh does not install (add it to APT_PACKAGES)`);
  }
  console.log(`checked ${paths.size} programs and modules: ${[...paths.keys()].map((k) => k.replace(/ \(.*/, "")).join(", ")}`);
  assert.deepEqual(problems, []);
});
