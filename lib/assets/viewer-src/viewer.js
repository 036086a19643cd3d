// Source of the offline notebook mesh viewer (three.js + OrbitControls), bundled by esbuild into
// one IIFE that defines window.UnmaskViewer. Built into lib/assets/viewer.js by `npm run build:viewer`
// in lib/, or bundled in memory at first use (lib/src/display/viewer-bundle.ts).
import {
  AmbientLight,
  BufferAttribute,
  BufferGeometry,
  Color,
  DirectionalLight,
  HemisphereLight,
  Mesh,
  MeshStandardMaterial,
  OrthographicCamera,
  PerspectiveCamera,
  Scene,
  Vector3,
  WebGLRenderer,
  DoubleSide,
  Box3,
  Sphere,
} from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";

function decodeBase64(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Inflate gzip bytes with the browser's DecompressionStream. */
async function gunzip(bytes) {
  if (typeof DecompressionStream === "undefined") throw new Error("this browser has no DecompressionStream (needs Chrome 80+, Firefox 113+, Safari 16.4+)");
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Undo the packing of lib/src/display/mesh.ts (viewerPayload, encoding "delta-gzip-1"). */
async function unpackAll(data) {
  if (data.encoding !== "delta-gzip-1") throw new Error("unknown mesh encoding " + data.encoding);
  return Promise.all(data.layers.map(unpack));
}

async function unpack(data) {
  const pb = await gunzip(decodeBase64(data.positions));
  const dq = new Uint16Array(pb.buffer, pb.byteOffset, pb.byteLength / 2);
  const positions = new Float32Array(dq.length);
  const min = data.min, ext = [data.max[0] - min[0], data.max[1] - min[1], data.max[2] - min[2]];
  const q = [0, 0, 0];
  for (let i = 0; i < dq.length; i++) {
    const a = i % 3;
    q[a] = (q[a] + dq[i]) & 0xffff;
    positions[i] = min[a] + (q[a] / 65535) * ext[a];
  }
  const tb = await gunzip(decodeBase64(data.triangles));
  const di = new Int32Array(tb.buffer, tb.byteOffset, tb.byteLength / 4);
  const triangles = new Uint32Array(di.length);
  let t = 0;
  for (let i = 0; i < di.length; i++) triangles[i] = t += di[i];
  return { positions, triangles };
}

// Camera directions in patient LPS (+x left, +y posterior, +z superior): where the camera sits.
const VIEWS = {
  front: [0, -1, 0],
  back: [0, 1, 0],
  left: [1, 0, 0],
  right: [-1, 0, 0],
  top: [0, 0, 1],
};

function mount(el, data) {
  if (!el || el.dataset.mounted) return;
  el.dataset.mounted = "1";
  unpackAll(data).then(
    (meshes) => build(el, data, meshes),
    (e) => {
      el.textContent = "Cannot show the mesh: " + (e && e.message ? e.message : e);
      el.dataset.error = "decode";
    },
  );
}

function build(el, data, meshes) {
  let renderer;
  try {
    renderer = new WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  } catch (e) {
    el.textContent = "WebGL is not available in this browser: " + (e && e.message ? e.message : e);
    el.dataset.error = "no-webgl";
    return;
  }
  const width = el.clientWidth || data.width || 640;
  const height = el.clientHeight || data.height || 480;
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  renderer.setSize(width, height);
  renderer.setClearColor(new Color(data.background || "#20242c"), 1);
  renderer.domElement.className = "unmask-viewer-canvas";
  renderer.domElement.style.display = "block";
  el.appendChild(renderer.domElement);

  const scene = new Scene();
  const box = new Box3();
  meshes.forEach((mesh, i) => {
    const layer = data.layers[i];
    const g = new BufferGeometry();
    g.setAttribute("position", new BufferAttribute(mesh.positions, 3));
    g.setIndex(new BufferAttribute(mesh.triangles, 1));
    g.computeVertexNormals();
    g.computeBoundingBox();
    if (mesh.triangles.length) box.union(g.boundingBox);
    const seeThrough = layer.opacity < 1;
    const material = new MeshStandardMaterial({
      color: new Color(layer.color || "#e8c4a8"),
      roughness: 0.65,
      metalness: 0.0,
      side: DoubleSide,
      transparent: seeThrough,
      opacity: layer.opacity,
      depthWrite: !seeThrough,
    });
    const m = new Mesh(g, material);
    // Opaque surfaces first, see-through ones over them.
    m.renderOrder = seeThrough ? 1 : 0;
    scene.add(m);
  });
  if (box.isEmpty()) box.set(new Vector3(-1, -1, -1), new Vector3(1, 1, 1));
  const sphere = box.getBoundingSphere(new Sphere());
  const center = sphere.center.clone();
  const radius = sphere.radius || 1;

  scene.add(new HemisphereLight(0xffffff, 0x404050, 0.6));
  scene.add(new AmbientLight(0xffffff, 0.1));

  const aspect = width / height;
  const camera = data.perspective
    ? new PerspectiveCamera(30, aspect, radius * 0.05, radius * 20)
    : new OrthographicCamera(-radius * aspect, radius * aspect, radius, -radius, radius * 0.05, radius * 20);
  const dir = VIEWS[data.view] || VIEWS.front;
  // Superior up, like a person standing in front of the viewer; from the top, anterior up.
  if (dir[2] !== 0) camera.up.set(0, -1, 0);
  else camera.up.set(0, 0, 1);
  const dist = data.perspective ? radius / Math.sin((15 * Math.PI) / 180) : radius * 4;
  camera.position.copy(center).add(new Vector3(dir[0], dir[1], dir[2]).multiplyScalar(dist));
  camera.lookAt(center);
  if (!data.perspective) {
    // Fit the meshes' box as seen from this side (the frustum is sized for any rotation).
    const bb = box;
    const up = camera.up.clone();
    const right = new Vector3(-dir[0], -dir[1], -dir[2]).cross(up).normalize();
    let halfX = 0, halfY = 0;
    for (let c = 0; c < 8; c++) {
      const p = new Vector3(c & 1 ? bb.max.x : bb.min.x, c & 2 ? bb.max.y : bb.min.y, c & 4 ? bb.max.z : bb.min.z).sub(center);
      halfX = Math.max(halfX, Math.abs(p.dot(right)));
      halfY = Math.max(halfY, Math.abs(p.dot(up)));
    }
    const fit = 1.2 * Math.max(halfY, halfX / aspect);
    if (fit > 0) camera.zoom = radius / fit;
    camera.updateProjectionMatrix();
  }
  // A headlight: the key light follows the camera so the side facing you is always lit.
  const key = new DirectionalLight(0xffffff, 2.0);
  key.position.set(0.3, 0.5, 1);
  key.target.position.set(0, 0, -1);
  camera.add(key);
  camera.add(key.target);
  scene.add(camera);

  const controls = new OrbitControls(camera, renderer.domElement);
  controls.target.copy(center);
  controls.enableDamping = false;
  controls.zoomSpeed = 1.2;
  const render = () => renderer.render(scene, camera);
  controls.addEventListener("change", render);
  controls.update();
  controls.saveState();
  // Double-click goes back to the initial view.
  renderer.domElement.addEventListener("dblclick", () => controls.reset());
  render();

  // Follow the output's width (notebook panes resize); keep the projection's aspect.
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(() => {
      const w = el.clientWidth, h = el.clientHeight;
      if (!w || !h || (w === renderer.domElement.clientWidth && h === renderer.domElement.clientHeight)) return;
      renderer.setSize(w, h);
      const a = w / h;
      if (camera.isPerspectiveCamera) camera.aspect = a;
      else {
        camera.left = -radius * a;
        camera.right = radius * a;
      }
      camera.updateProjectionMatrix();
      render();
    }).observe(el);
  }

  const info = document.createElement("div");
  info.className = "unmask-viewer-info";
  info.style.cssText = "position:absolute;left:8px;bottom:6px;color:#cfd6e0;font:12px sans-serif;pointer-events:none;text-shadow:0 0 2px #000";
  const names = data.layers.filter((l) => l.name).map((l) => l.name).join(", ");
  info.textContent = (data.title ? data.title + " — " : "") + (names ? names + " — " : "") + data.triangleCount.toLocaleString() + " triangles · drag rotate · wheel zoom · right-drag pan · double-click reset";
  el.appendChild(info);
  el.dataset.ready = "1";
  el.unmaskViewer = { renderer, scene, camera, controls, render };
}

if (typeof window !== "undefined" && !window.UnmaskViewer) {
  window.UnmaskViewer = { mount, version: "1" };
}
