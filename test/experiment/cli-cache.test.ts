import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CT_DIR, tempDir } from "../helpers/paths";
import { cli } from "../helpers/cli";

test("unmask surface --cache: the second run takes the volume and surface from the cache, a damaged entry is recomputed, the mesh is the same", async () => {
  const dir = tempDir();
  try {
    const cache = path.join(dir, "cache");
    const run = async (name: string) => {
      const r = await cli(["surface", CT_DIR, "-o", path.join(dir, name), "--spacing", "2", "--cache", cache, "--json"]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const first = await run("a.ply");
    // Cold: the native volume, the 2 mm (cubic) volume and the surface are computed.
    assert.deepEqual([first.cache.counts.load.misses, first.cache.counts.surface.misses], [2, 1]);
    const second = await run("b.ply");
    assert.deepEqual([second.cache.counts.load.misses, second.cache.counts.surface.misses], [0, 0]);
    assert.equal(second.cache.counts.surface.hits, 1);
    assert.ok(fs.readFileSync(path.join(dir, "a.ply")).equals(fs.readFileSync(path.join(dir, "b.ply"))), "same mesh bytes");
    // Truncate the surface entry: it is recomputed, not trusted.
    const entries = fs.readdirSync(path.join(cache, "surface"));
    assert.equal(entries.length, 1);
    const f = path.join(cache, "surface", entries[0]);
    fs.truncateSync(f, 100);
    const third = await run("c.ply");
    assert.equal(third.cache.counts.surface.misses, 1);
    assert.ok(fs.readFileSync(path.join(dir, "a.ply")).equals(fs.readFileSync(path.join(dir, "c.ply"))));
    assert.ok(fs.statSync(f).size > 1000, "entry rewritten whole");
    // Without --cache nothing is written anywhere and no cache field is reported.
    const plain = await cli(["surface", CT_DIR, "-o", path.join(dir, "d.ply"), "--json"]);
    assert.equal(JSON.parse(plain.stdout).cache, undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
