import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { writeMesh, type Mesh } from "unmask";
import { InvalidArgumentError } from "unmask/core";
import { decodeMesh, encodeMesh, marchingCubesSync, meshArea, meshVolume, readMesh } from "unmask/surface";
import { tempDir } from "../helpers/paths";
import { ball, rel, sampleField } from "./helpers";

const sphere = (): Mesh => marchingCubesSync(sampleField([32, 32, 32], ball([-100 + 15.3, 50 + 16.1, 20 + 15.7], 10), { origin: [-100, 50, 20] }), { level: 0, normals: true });

/** Points, triangles and bounds as VTK's own readers see the file (an independent parser). */
function vtkRead(file: string): { points: number; polys: number; bounds: number[] } {
  const reader = { ".ply": "vtkPLYReader", ".stl": "vtkSTLReader", ".obj": "vtkOBJReader" }[path.extname(file)];
  const py = `import json, vtk\nr = vtk.${reader}()\nr.SetFileName(${JSON.stringify(file)})\nr.Update()\no = r.GetOutput()\nprint(json.dumps({"points": o.GetNumberOfPoints(), "polys": o.GetNumberOfPolys(), "bounds": list(o.GetBounds())}))`;
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", py], { encoding: "utf8" }));
}

test("PLY, STL and OBJ files parse back (our decoders and VTK's readers) to the same mesh", () => {
  const m = sphere();
  const nv = m.positions.length / 3, nt = m.triangles.length / 3;
  assert.ok(nt > 1000);
  const dir = tempDir();
  const files = { ply: path.join(dir, "s.ply"), stl: path.join(dir, "s.stl"), obj: path.join(dir, "s.obj") };
  writeMesh(files.ply, m);
  writeMesh(files.stl, m);
  writeMesh(files.obj, m);
  // Only the three files: atomic writes leave no temporary files behind.
  assert.deepEqual(fs.readdirSync(dir).sort(), ["s.obj", "s.ply", "s.stl"]);

  const ply = readMesh(files.ply);
  assert.deepEqual(ply.positions, m.positions);
  assert.deepEqual(ply.triangles, m.triangles);
  assert.deepEqual(ply.normals, m.normals);
  assert.equal(fs.statSync(files.ply).size, encodeMesh(m, { format: "ply" }).length);
  assert.match(fs.readFileSync(files.ply).subarray(0, 40).toString("latin1"), /^ply\nformat binary_little_endian 1.0\n/);

  const stl = readMesh(files.stl);
  assert.equal(fs.statSync(files.stl).size, 84 + 50 * nt);
  assert.equal(stl.triangles.length / 3, nt);
  assert.equal(stl.positions.length / 3, nv, "welding the STL corners recovers the shared vertices");
  assert.ok(rel(meshArea(stl), meshArea(m)) < 1e-6, `STL area ${meshArea(stl)} vs ${meshArea(m)}`);
  assert.ok(rel(meshVolume(stl), meshVolume(m)) < 1e-5);

  const obj = readMesh(files.obj);
  assert.deepEqual(obj.triangles, m.triangles);
  assert.deepEqual(obj.positions, m.positions, "9 significant digits round-trip float32 exactly");
  assert.equal(obj.normals!.length, m.normals!.length);

  for (const f of Object.values(files)) {
    const v = vtkRead(f);
    assert.equal(v.polys, nt, `${f}: VTK reads ${v.polys} triangles`);
    if (!f.endsWith(".stl")) assert.equal(v.points, nv, `${f}: VTK reads ${v.points} points`);
    assert.ok(Math.abs(v.bounds[0] - (-100 + 15.3 - 10)) < 0.05 && Math.abs(v.bounds[3] - (50 + 16.1 + 10)) < 0.05, `${f}: bounds ${v.bounds}`);
  }
  fs.rmSync(dir, { recursive: true });
});

test("writeMesh picks the format by extension; unknown extensions and garbage input are typed errors", () => {
  const m = sphere();
  const dir = tempDir();
  writeMesh(path.join(dir, "a.PLY"), m);
  assert.equal(decodeMesh(fs.readFileSync(path.join(dir, "a.PLY")), { format: "ply" }).triangles.length, m.triangles.length);
  writeMesh(path.join(dir, "a.stl"), m);
  assert.equal(decodeMesh(fs.readFileSync(path.join(dir, "a.stl")), { format: "stl" }).triangles.length, m.triangles.length);
  writeMesh(path.join(dir, "a.obj"), m);
  assert.equal(decodeMesh(fs.readFileSync(path.join(dir, "a.obj")), { format: "obj" }).triangles.length, m.triangles.length);
  assert.throws(() => writeMesh(path.join(dir, "a.vtk"), m), InvalidArgumentError);
  assert.ok(!fs.existsSync(path.join(dir, "a.vtk")));
  fs.writeFileSync(path.join(dir, "bad.ply"), "not a mesh");
  assert.throws(() => readMesh(path.join(dir, "bad.ply")), (e: Error & { code?: string }) => e.code === "MESH_PARSE" && /bad\.ply/.test(e.message));
  assert.throws(() => readMesh(path.join(dir, "missing.stl")), (e: Error & { code?: string }) => e.code === "NOT_FOUND");
  fs.rmSync(dir, { recursive: true });
});

test("one encoder and one writer, chosen by a format option: an explicit format overrides the extension", () => {
  const m = sphere();
  const dir = tempDir();
  const file = path.join(dir, "surface.bin");
  // No extension to go by: the format option decides, and readMesh needs it too.
  assert.throws(() => writeMesh(file, m), InvalidArgumentError);
  writeMesh(file, m, { format: "stl" });
  assert.deepEqual(new Uint8Array(fs.readFileSync(file)), encodeMesh(m, { format: "stl" }));
  assert.equal(readMesh(file, { format: "stl" }).triangles.length, m.triangles.length);
  // The same bytes through decodeMesh; each format's bytes differ (binary PLY, binary STL, OBJ text).
  assert.equal(decodeMesh(encodeMesh(m, { format: "obj" }), { format: "obj" }).positions.length, m.positions.length);
  assert.equal(new TextDecoder().decode(encodeMesh(m, { format: "obj" }).subarray(0, 1)), "#");
  assert.equal(new TextDecoder().decode(encodeMesh(m, { format: "ply" }).subarray(0, 3)), "ply");
  assert.throws(() => encodeMesh(m, { format: "vtk" as never }), InvalidArgumentError);
  fs.rmSync(dir, { recursive: true });
});
