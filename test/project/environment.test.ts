import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers/paths";

// No conda channel is reachable here: check that environment.yml parses and names, for each thing the
// README's first command installs from Debian, its conda equivalent.
test("environment.yml parses and names what the README installs", () => {
  const r = spawnSync("/usr/bin/python3", ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", path.join(ROOT, "environment.yml")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const env = JSON.parse(r.stdout) as { name: string; channels: string[]; dependencies: (string | object)[] };
  assert.equal(env.name, "unmask");
  assert.ok(env.channels.includes("conda-forge"));
  const names = env.dependencies.filter((d): d is string => typeof d === "string").map((d) => d.split(/[=<> ]/)[0]);
  const setup = fs.readFileSync(path.join(ROOT, "scripts", "setup.sh"), "utf8");
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  // Debian package installed by the README's setup → conda package that provides it.
  const equivalents: Record<string, string> = {
    "jupyter-nbconvert": "nbconvert",
    "python3-nbclient": "nbclient",
    "python3-nbformat": "nbformat",
    "jupyter-client": "jupyter_client",
    "python3": "python",
    "libcairo2-dev": "cairo",
    "libpango1.0-dev": "pango",
    "libjpeg-dev": "libjpeg-turbo",
    "libgif-dev": "giflib",
    "librsvg2-dev": "librsvg",
    "libpixman-1-dev": "pixman",
    "build-essential": "cxx-compiler",
    "pkg-config": "pkg-config",
    "python3-yaml": "pyyaml",
    "python3-numpy": "numpy",
    "python3-scipy": "scipy",
    "python3-pydicom": "pydicom",
    "python3-gdcm": "gdcm",
    "libgdcm-tools": "gdcm",
    "python3-vtk9": "vtk",
    "python3-nibabel": "nibabel",
    "python3-opencv": "py-opencv",
    "python3-skimage": "scikit-image",
    "dcmtk": "dcmtk",
    "dcm2niix": "dcm2niix",
    "redis-server": "redis-server",
    "tesseract-ocr": "tesseract",
  };
  for (const [deb, conda] of Object.entries(equivalents)) {
    assert.ok(new RegExp(`\\b${deb.replace(/[.+]/g, "\\$&")}\\b`).test(setup), `setup installs ${deb}`);
    assert.ok(names.includes(conda), `environment.yml names ${conda} (for ${deb})`);
  }
  const node = env.dependencies.find((d) => typeof d === "string" && d.startsWith("nodejs"));
  assert.match(String(node), /^nodejs=20/, "Node 20 as on the Debian machine");
  // The npm side (tslab included) is the same in both: the README's command runs npm ci on the lockfile.
  assert.match(setup, /npm ci/);
  assert.match(readme, /tslab/);
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  assert.ok(lock.packages["node_modules/tslab"], "tslab comes from the lockfile");
});
