import { test } from "node:test";
import assert from "node:assert/strict";
import { type Vec3 } from "unmask";
import { InvalidArgumentError } from "unmask/core";
import { type Direction } from "unmask/volume";
import { frameCamera, imageToPatient, projectToImage, viewBasis, VIEW_PRESETS } from "unmask/render";
import { uvSphere } from "./meshes";

const sphere = uvSphere(40, [10, -20, 30], 32, 16);

test("front view: camera anterior, superior up, patient's right on the image's left", () => {
  const cam = frameCamera(sphere.positions, viewBasis("front"), { width: 200, height: 100 });
  const c = projectToImage(cam, [10, -20, 30]);
  const left = projectToImage(cam, [30, -20, 30]); // 20 mm towards patient Left (+x)
  const up = projectToImage(cam, [10, -20, 50]); // superior
  const post = projectToImage(cam, [10, 0, 30]); // posterior: farther from the camera
  assert.ok(Math.abs(c[0] - 100) < 1e-6 && Math.abs(c[1] - 50) < 1e-6, `centre at ${c}`);
  assert.ok(left[0] > c[0] + 1, "patient left appears on the image's right");
  assert.ok(up[1] < c[1] - 1, "superior appears towards the top (smaller y)");
  assert.ok(post[2] > c[2] + 19.99 && post[2] < c[2] + 20.01, "depth grows posteriorly, in mm");
  assert.ok(cam.position[1] < -20 - 40, "camera anterior of the sphere");
  // Fit: 80 mm + 5 % margin each side across 100 px of height limits the scale.
  assert.ok(Math.abs(cam.pixelSize - (80 * 1.1) / 100) < 1e-4, `pixelSize ${cam.pixelSize}`);
});

test("projectToImage and imageToPatient are inverse for every preset, both projections", () => {
  const pts: Vec3[] = [[0, 0, 0], [12.5, -33, 47], [-40, 5, 1], [10, -20, 30]];
  for (const view of VIEW_PRESETS) {
    for (const projection of ["orthographic", "perspective"] as const) {
      const cam = frameCamera(sphere.positions, viewBasis(view), { width: 320, height: 240, projection });
      for (const p of pts) {
        const [x, y, d] = projectToImage(cam, p);
        const q = imageToPatient(cam, x, y, d);
        for (let a = 0; a < 3; a++) assert.ok(Math.abs(q[a] - p[a]) < 1e-6, `${view} ${projection}: ${p} → ${[x, y, d]} → ${q}`);
      }
      // Every vertex of the framed mesh lands inside the image and in front of the near plane.
      for (let v = 0; v < sphere.positions.length; v += 3) {
        const [x, y, d] = projectToImage(cam, [sphere.positions[v], sphere.positions[v + 1], sphere.positions[v + 2]]);
        assert.ok(x >= 0 && x <= 320 && y >= 0 && y <= 240, `${view} ${projection}: vertex off-image at ${x}, ${y}`);
        assert.ok(d > cam.near && d < cam.far, `${view} ${projection}: depth ${d} outside [${cam.near}, ${cam.far}]`);
      }
    }
  }
});

test("view presets point where their names say", () => {
  const eq = (a: Vec3, b: Vec3) => a.every((v, i) => Math.abs(v - b[i]) < 1e-9);
  assert.ok(eq(viewBasis("front").direction, [0, 1, 0]));
  assert.ok(eq(viewBasis("back").direction, [0, -1, 0]));
  assert.ok(eq(viewBasis("left").direction, [-1, 0, 0]), "left profile: camera on the patient's left");
  assert.ok(eq(viewBasis("right").direction, [1, 0, 0]));
  assert.ok(eq(viewBasis("top").direction, [0, 0, -1]));
  assert.ok(eq(viewBasis("top").up, [0, -1, 0]), "top view: anterior at the top of the image");
  const ol = viewBasis("oblique-left").direction;
  assert.ok(Math.abs(Math.acos(ol[1]) * (180 / Math.PI) - 30) < 1e-9 && ol[0] < 0, "oblique-left: 30° towards the patient's left");
  assert.ok(viewBasis("oblique-right").direction[0] > 0);
  for (const v of VIEW_PRESETS) assert.equal(viewBasis(v).mirrored, false, v);
});

const near = (a: Vec3, b: Vec3, what: string) => assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-12), `${what}: [${a}] ≠ [${b}]`);

test("seed view: matplotlib view_init(0, 270) on voxel axes", () => {
  const front = viewBasis("front");
  const seedIdentity = viewBasis("seed");
  near(seedIdentity.direction, front.direction, "direction");
  near(seedIdentity.up, front.up, "up");
  near(seedIdentity.right, front.right, "right");
  // Slices stored top-down: the seed sorted them by z, so the camera is unchanged.
  const kReversed: Direction = [1, 0, 0, 0, 1, 0, 0, 0, -1];
  near(viewBasis("seed", kReversed).up, [0, 0, 1], "up");
  // Rows stored bottom-up (j towards anterior): the seed's camera sits posterior and, the voxel
  // frame being left-handed, draws a mirror image with voxel i on the right.
  const jFlipped: Direction = [1, 0, 0, 0, -1, 0, 0, 0, 1];
  const b = viewBasis("seed", jFlipped);
  near(b.direction, [0, -1, 0], "direction");
  near(b.right, [1, 0, 0], "right");
  assert.equal(b.mirrored, true);
});

test("bad views and options are typed errors", () => {
  assert.throws(() => viewBasis("sideways" as never), InvalidArgumentError);
  assert.throws(() => viewBasis({ direction: [0, 0, 1], up: [0, 0, 2] }), InvalidArgumentError);
  assert.throws(() => frameCamera(new Float32Array(0), viewBasis("front"), { width: 10, height: 10 }), InvalidArgumentError);
  assert.throws(() => frameCamera(sphere.positions, viewBasis("front"), { width: 10, height: 10, projection: "perspective", fovY: 200 }), InvalidArgumentError);
  assert.throws(() => frameCamera(sphere.positions, viewBasis("front"), { width: 10, height: 10, pixelSize: 0 }), InvalidArgumentError);
  assert.throws(() => frameCamera(sphere.positions, viewBasis("front"), { width: 10, height: 10, center: [0, NaN, 0] }), InvalidArgumentError);
  assert.throws(() => viewBasis("seed", [1, 0, 0, 0, 0, 0, 0, 0, 1]), InvalidArgumentError);
});
