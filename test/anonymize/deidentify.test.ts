import { test, after } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { deidentify, PROFILE_TABLE, dateShiftDays, type DeidentifyOptions } from "unmask/anonymize";
import { readDicomDataset, encodeDicomFile, dictionaryEntry, listSeries, type DicomDataset, type DicomElement } from "unmask/dicom";
import { CT_DIR, ROOT, tempDir } from "../helpers/paths";

const work = tempDir("unmask-deid-");
after(() => fs.rmSync(work, { recursive: true, force: true }));
const KEY = createHash("sha256").update("test key").digest();

function folderHash(dir: string): string {
  const h = createHash("sha256");
  for (const f of fs.readdirSync(dir).sort()) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  return h.digest("hex");
}
const inputHash = folderHash(CT_DIR);

const ctFile = (n: number) => path.join(CT_DIR, `IM${String(n).padStart(4, "0")}.dcm`);
const IM2_SOP = String(readDicomDataset(ctFile(2)).dict["00080018"].Value![0]);
const PATIENT_ID = String(readDicomDataset(ctFile(1)).dict["00100020"].Value![0]);

/** The table's tag as a concrete tag of the generated file (repeating groups at 5000/6000; private at 0009). */
function concreteTag(t: string): string {
  if (t === "50xxxxxx") return "50003000";
  return t.replace(/xx/, "00").toUpperCase();
}

/** An identifying value of the right VR for a tag (distinct per tag so that a kept value is recognisable). */
function identifyingValue(vr: string, tag: string): unknown[] {
  const n = parseInt(tag.slice(4), 16);
  switch (vr) {
    case "PN": return [{ Alphabetic: `DOE^JOHN${n}` }];
    case "DA": return ["20200102"];
    case "TM": return ["101010"];
    case "DT": return ["20200102101010"];
    case "UI": return [`1.2.826.0.1.3680043.8.498.${parseInt(tag, 16)}`];
    case "AS": return ["055Y"];
    case "CS": return [`V${tag}`];
    case "DS": return [1.5];
    case "IS": return [7];
    case "US": case "SS": case "UL": case "SL": return [3];
    case "FL": case "FD": return [2.5];
    case "OB": case "OW": case "UN": return [new Uint8Array([1, 2, 3, 4]).buffer];
    case "UR": return [`http://hospital.example/${tag}`];
    case "AE": return [`AE${tag}`];
    default: return [`JOHN DOE ${tag}`];
  }
}

const INNER_UID = IM2_SOP; // an item referring to another file of the study: must map as that file's UID does
function identifyingElement(tag: string): DicomElement {
  let vr = dictionaryEntry(tag)?.vr ?? "LO";
  if (tag === "60003000") vr = "OW";
  if (tag === "50003000") vr = "OB";
  if (vr === "SQ") {
    return { vr, Value: [{ "00081150": { vr: "UI", Value: ["1.2.840.10008.5.1.4.1.1.2"] }, "00081155": { vr: "UI", Value: [INNER_UID] }, "00100010": { vr: "PN", Value: [{ Alphabetic: "INNER^NAME" }] } }] };
  }
  return { vr, Value: identifyingValue(vr, tag) };
}

/** A file holding every attribute of Table E.1-1 (built from a CT slice), plus a private block and BurnedInAnnotation YES. */
function everyAttributeFile(dir: string): { file: string; dict: DicomDataset } {
  const src = readDicomDataset(ctFile(1));
  const dict: DicomDataset = { ...src.dict };
  for (const r of PROFILE_TABLE) {
    // Group 0002 rows live in the file meta, which already holds them.
    if (r.tag === "private" || r.tag.startsWith("0002")) continue;
    dict[concreteTag(r.tag)] = identifyingElement(concreteTag(r.tag));
  }
  dict["00090010"] = { vr: "LO", Value: ["ACME PRIVATE"] };
  dict["00091001"] = { vr: "LO", Value: ["PRIVATE PATIENT NOTE"] };
  dict["00280301"] = { vr: "CS", Value: ["YES"] };
  // Text that repeats an identifier, for Clean Descriptors; the patient id is the CT's.
  dict["00100020"] = { vr: "LO", Value: [PATIENT_ID] };
  dict["00081030"] = { vr: "LO", Value: [`head CT of ${PATIENT_ID} routine`] };
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "every.dcm");
  fs.writeFileSync(file, encodeDicomFile({ meta: src.meta, dict }));
  return { file, dict };
}

const genDir = path.join(work, "generated");
const generated = everyAttributeFile(genDir);

async function run(source: string, name: string, opts: DeidentifyOptions = {}) {
  const out = path.join(work, name);
  const report = await deidentify(source, out, { key: KEY, ...opts });
  return { out, report, dict: (f = "IM0001.dcm") => readDicomDataset(path.join(out, f)).dict };
}

/** Value equality that sees the bytes of binary values (JSON.stringify shows every ArrayBuffer as {}). */
function same(a: unknown[], b: unknown[]): boolean {
  const norm = (x: unknown) => (x instanceof ArrayBuffer ? `bytes:${Buffer.from(x).toString("hex")}` : x);
  return JSON.stringify(a.map(norm)) === JSON.stringify(b.map(norm));
}

type Outcome = "X" | "Z" | "D" | "U" | "K";
/** What happened to one attribute, judged from input and output only. */
function outcome(tag: string, input: DicomElement, output: DicomElement | undefined): Outcome | string {
  if (!output) return "X";
  const v = (output.Value ?? []).filter((x) => !(x === "" || x === null || x === undefined || (typeof x === "object" && !(x instanceof ArrayBuffer) && !Array.isArray(x) && Object.values(x as object).every((y) => !y) && Object.keys(x as object).length > 0 && !("00081155" in (x as object)))));
  if (v.length === 0) return "Z";
  if (input.vr === "SQ") {
    const item = v[0] as DicomDataset;
    const uid = item["00081155"]?.Value?.[0];
    const name = item["00100010"]?.Value ?? [];
    if (uid === INNER_UID) return `sequence kept its UID (${tag})`;
    if (name.length) return `sequence kept a name (${tag})`;
    return "U"; // processed: UIDs remapped, identifying content gone
  }
  if (same(v, input.Value ?? [])) return "K";
  if (input.vr === "UI") return /^2\.25\.\d+$/.test(String(v[0])) ? "U" : `bad UID ${v[0]}`;
  return "D";
}

/** The outcomes a Table E.1-1 action allows (combined actions: any of their parts; D/U on a sequence: its items processed). */
function allowed(action: string, vr: string): Outcome[] {
  const parts = action.replace("U*", "U").split("/") as Outcome[];
  // A dummy for a UID is a UID: D on a UI attribute comes out as a replaced UID.
  return vr === "SQ" || vr === "UI" ? parts.map((p) => (p === "D" ? "U" : p)) : parts;
}

test("a file holding every attribute of Table E.1-1 comes out as the table says, attribute by attribute", async () => {
  const { dict, report } = await run(genDir, "basic");
  const out = dict();
  const outMeta = readDicomDataset(path.join(report.output, "IM0001.dcm")).meta;
  const inMeta = readDicomDataset(generated.file).meta;
  let checked = 0;
  for (const r of PROFILE_TABLE) {
    if (r.tag === "private") continue;
    if (r.tag.startsWith("0002")) {
      const tag = r.tag.toUpperCase();
      const got = outcome(tag, inMeta[tag], outMeta[tag]);
      assert.ok(allowed(r.basic, inMeta[tag].vr).includes(got as Outcome), `${r.tag} ${r.name} (file meta): table says ${r.basic}, got ${got}`);
      checked++;
      continue;
    }
    const tag = concreteTag(r.tag);
    const got = outcome(tag, generated.dict[tag], out[tag]);
    assert.ok(allowed(r.basic, generated.dict[tag].vr).includes(got as Outcome), `${r.tag} ${r.name}: table says ${r.basic}, got ${got}`);
    checked++;
  }
  assert.equal(checked, 620);
  assert.equal(out["00090010"], undefined);
  assert.equal(out["00091001"], undefined);
  // The profile's own attributes.
  assert.equal(out["00120062"].Value![0], "YES");
  assert.match(String(out["00120063"].Value![0]), /PS3\.15 2024b Basic Application Confidentiality Profile/);
  const codes = (out["00120064"].Value as DicomDataset[]).map((i) => [i["00080100"].Value![0], i["00080102"].Value![0]]);
  assert.deepEqual(codes, [["113100", "DCM"]]);
  // Nothing identifying left anywhere in the file's bytes.
  const bytes = fs.readFileSync(path.join(report.output, "IM0001.dcm")).toString("latin1");
  for (const s of ["DOE^JOHN", "JOHN DOE", "INNER^NAME", "PRIVATE PATIENT NOTE", PATIENT_ID, "hospital.example"]) assert.ok(!bytes.includes(s), `"${s}" left in the output`);
  // BurnedInAnnotation YES flagged.
  assert.deepEqual(report.burnedInAnnotation, ["IM0001.dcm"]);
  assert.ok(report.warnings.some((w) => /BurnedInAnnotation YES/.test(w)));
});

test("the committed profile table is what the committed generator makes from the committed extract of the standard", () => {
  const out = execFileSync(process.execPath, [path.join(ROOT, "scripts", "generate-profile-table.mjs"), "--check"], { encoding: "utf8" });
  assert.match(out, /up to date/);
  assert.equal(PROFILE_TABLE.length, 621);
});

// Typed by hand from DICOM PS3.15 Table E.1-1 (Basic Profile column), not read from the committed table.
const HAND: [string, string][] = [
  ["(0008,0050)", "Z"], ["(0008,0080)", "X/Z/D"], ["(0008,0081)", "X"], ["(0008,0090)", "Z"], ["(0008,0092)", "X"],
  ["(0008,0094)", "X"], ["(0008,1010)", "X/Z/D"], ["(0008,1030)", "X"], ["(0008,103E)", "X"], ["(0008,1040)", "X"],
  ["(0008,1048)", "X"], ["(0008,1050)", "X"], ["(0008,1060)", "X"], ["(0008,1070)", "X/Z/D"], ["(0008,1080)", "X"],
  ["(0008,0018)", "U"], ["(0020,000D)", "U"], ["(0020,000E)", "U"], ["(0020,0052)", "U"], ["(0008,0014)", "U"],
  ["(0008,1155)", "U"], ["(0010,0010)", "Z"], ["(0010,0030)", "Z"], ["(0010,0040)", "Z"], ["(0010,1000)", "X"],
  ["(0010,1001)", "X"], ["(0010,1010)", "X"], ["(0010,1020)", "X"], ["(0010,1030)", "X"], ["(0010,1040)", "X"],
  ["(0010,2160)", "X"], ["(0010,4000)", "X"], ["(0018,1000)", "X/Z/D"], ["(0020,0010)", "Z"], ["(0020,4000)", "X"],
  ["(0008,0020)", "Z"], ["(0008,0030)", "Z"], ["(0008,0021)", "X/D"], ["(0008,0023)", "Z/D"], ["(0018,1030)", "X/D"],
  ["(0010,0032)", "X"], ["(0038,0300)", "X"], ["(0010,21B0)", "X"], ["(0032,1060)", "X/Z"], ["(0040,0275)", "X"],
];

test(`${HAND.length} rows typed by hand from the published standard agree with the table and with the output`, async () => {
  const out = readDicomDataset(path.join(work, "basic", "IM0001.dcm")).dict;
  for (const [label, action] of HAND) {
    const tag = label.replace(/[(),]/g, "").toLowerCase();
    const row = PROFILE_TABLE.find((r) => r.tag === tag);
    assert.ok(row, `${label} missing from the table`);
    assert.equal(row!.basic, action, `${label} ${row!.name}`);
    const t = tag.toUpperCase();
    const got = outcome(t, generated.dict[t], out[t]);
    assert.ok(allowed(action, generated.dict[t].vr).includes(got as Outcome), `${label}: standard says ${action}, output ${got}`);
  }
  assert.ok(HAND.length >= 30);
});

test("options: patient characteristics and device identity kept, dates shifted per patient, descriptors cleaned", async () => {
  const { dict, report } = await run(genDir, "options", { retainModifiedDates: true, retainPatientCharacteristics: true, retainDeviceIdentity: true, cleanDescriptors: true });
  const out = dict();
  const shift = dateShiftDays(KEY, PATIENT_ID);
  assert.ok(shift <= -365 && shift >= -3650, `shift ${shift}`);
  const expectDate = new Date(Date.UTC(2020, 0, 2) + shift * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");
  let kept = 0, shifted = 0;
  for (const r of PROFILE_TABLE) {
    if (r.tag === "private" || r.tag.startsWith("0002")) continue;
    const tag = concreteTag(r.tag);
    const input = generated.dict[tag];
    const o = r.options ?? {};
    // Where two options disagree (a calibration date: K for the device, C for dates) dates are shifted.
    const keep = (o.retainPatientCharacteristics === "K" || o.retainDeviceIdentity === "K") && input.vr !== "SQ" && o.retainModifiedDates !== "C";
    if (keep) {
      assert.deepEqual(out[tag]?.Value, input.Value, `${r.tag} ${r.name}: option says K`);
      kept++;
    }
    if (o.retainModifiedDates === "C" && (input.vr === "DA" || input.vr === "DT")) {
      assert.equal(String(out[tag].Value![0]).slice(0, 8), expectDate, `${r.tag} ${r.name}: date not shifted by ${shift} days`);
      shifted++;
    }
  }
  assert.ok(kept >= 30 && shifted >= 80, `kept ${kept}, shifted ${shifted}`);
  // Clean Descriptors: the description is kept, the patient id in it is gone.
  assert.equal(out["00081030"].Value![0], "head CT of * routine");
  const codes = (out["00120064"].Value as DicomDataset[]).map((i) => i["00080100"].Value![0]).sort();
  assert.deepEqual(codes, ["113100", "113105", "113107", "113108", "113109"]);
  assert.equal(out["00280303"].Value![0], "MODIFIED");
  assert.ok(report.changes.some((c) => c.action === "C"));
});

test("UIDs map consistently across the files of a run, across runs with one key, and not with another", async () => {
  const a = await run(CT_DIR, "ct-a");
  const b = await run(CT_DIR, "ct-b");
  const c = await run(CT_DIR, "ct-c", { key: createHash("sha256").update("another key").digest() });
  const uids = (r: typeof a, f: string) => {
    const d = r.dict(f);
    return ["00080018", "0020000D", "0020000E", "00200052"].map((t) => String(d[t].Value![0]));
  };
  const files = fs.readdirSync(a.out).filter((f) => f.endsWith(".dcm"));
  assert.equal(files.length, 108);
  const study = new Set<string>(), series = new Set<string>(), sops = new Set<string>();
  for (const f of files) {
    const [sop, st, se] = uids(a, f);
    sops.add(sop); study.add(st); series.add(se);
    assert.deepEqual(uids(b, f), uids(a, f), `${f}: same key, different UIDs`);
    assert.notEqual(uids(c, f)[0], sop);
  }
  assert.equal(study.size, 1);
  assert.equal(series.size, 1);
  assert.equal(sops.size, 108);
  // The generated file's sequence item referred to IM0002: it now refers to IM0002's new UID.
  const gen = readDicomDataset(path.join(work, "basic", "IM0001.dcm")).dict;
  const ref = (gen["00081140"].Value![0] as DicomDataset)["00081155"].Value![0];
  assert.equal(ref, uids(a, "IM0002.dcm")[0]);
  // The output is a loadable series, and the report says the key was given.
  assert.equal((await listSeries(a.out)).series[0].sliceCount, 108);
  assert.equal(a.report.key, "given");
  assert.equal(a.report.keyFingerprint, b.report.keyFingerprint);
  assert.notEqual(a.report.keyFingerprint, c.report.keyFingerprint);
  assert.ok(!a.report.keyFingerprint.includes(KEY.toString("hex").slice(0, 8)));
  const noKey = await deidentify(CT_DIR, path.join(work, "ct-random"));
  assert.equal(noKey.key, "random");
  assert.ok(noKey.warnings.some((w) => /random key/.test(w)));
});

test("dciodvfy finds no error in de-identified files that the input does not already have", () => {
  const errors = (f: string) => new Set((spawnSync("dciodvfy", [f], { encoding: "utf8" }).stderr ?? "").split("\n").filter((l) => l.startsWith("Error")).map((l) => l.trim()));
  for (const n of [1, 54, 108]) {
    const name = `IM${String(n).padStart(4, "0")}.dcm`;
    const before = errors(ctFile(n));
    assert.ok(before.size > 0, "the check is live");
    assert.deepEqual([...errors(path.join(work, "ct-a", name))].filter((e) => !before.has(e)), [], name);
  }
});

test("the report lists every changed attribute of every file, in JSON and CSV", async () => {
  const out = path.join(work, "ct-a");
  const json = JSON.parse(fs.readFileSync(path.join(out, "deidentification-report.json"), "utf8"));
  const csv = fs.readFileSync(path.join(out, "deidentification-report.csv"), "utf8").trim().split("\n");
  assert.equal(csv.length, json.changes.length + 1);
  assert.equal(csv[0], "file,path,tag,name,rule,action,value");
  // Every attribute that differs between input and output of a file is in the report, and only those.
  const input = readDicomDataset(ctFile(5)).dict;
  const output = readDicomDataset(path.join(out, "IM0005.dcm")).dict;
  const differing = new Set([...Object.keys(input), ...Object.keys(output)].filter((t) => JSON.stringify(input[t]) !== JSON.stringify(output[t])).map((t) => `(${t.slice(0, 4)},${t.slice(4)})`));
  const reported = new Set(json.changes.filter((c: { file: string; tag: string }) => c.file === "IM0005.dcm" && !c.tag.startsWith("(0002")).map((c: { tag: string }) => c.tag));
  assert.deepEqual([...reported].sort(), [...differing].sort());
  // Original values never appear in the report.
  const text = fs.readFileSync(path.join(out, "deidentification-report.json"), "utf8");
  assert.ok(!text.includes(PATIENT_ID) && !text.includes("FICTIONAL"));
});

test("a failure half-way (an unreadable file late in the series) leaves no output folder; the input is unchanged", async () => {
  const info = (await listSeries(CT_DIR)).series[0];
  const bad = path.join(work, "bad.dcm");
  fs.writeFileSync(bad, "DICM? no");
  const files = [...info.files].sort();
  files.splice(100, 0, bad);
  const out = path.join(work, "half");
  await assert.rejects(deidentify({ ...info, files }, out, { key: KEY }), (e: Error & { code?: string }) => e.code === "NOT_DICOM");
  assert.ok(!fs.existsSync(out));
  assert.deepEqual(fs.readdirSync(work).filter((f) => f.startsWith(".half")), []);
  assert.equal(folderHash(CT_DIR), inputHash);
});

test("unmask's encoder writes the same bytes as dcmjs's writer, for the every-attribute file and its de-identified output", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dcmjs = require("dcmjs");
  dcmjs.log.setLevel("error");
  for (const f of [generated.file, path.join(work, "basic", "IM0001.dcm"), path.join(work, "options", "IM0001.dcm")]) {
    const d = readDicomDataset(f);
    const mine = Buffer.from(encodeDicomFile(d));
    const dd = new dcmjs.data.DicomDict(d.meta);
    dd.dict = d.dict;
    const theirs = Buffer.from(dd.write());
    assert.equal(mine.length, theirs.length, f);
    assert.equal(Buffer.compare(mine, theirs), 0, `${f}: bytes differ from dcmjs's`);
  }
});

test("compressed and implicit-VR inputs: JPEG-LS and RLE stay encapsulated, implicit VR becomes explicit, pixels equal (pydicom, dcmtk)", async () => {
  const dir = path.join(work, "syntaxes");
  fs.mkdirSync(dir);
  // Derived test data made with Debian's dcmtk from three CT slices.
  execFileSync("dcmcjpls", [ctFile(50), path.join(dir, "a.dcm")]);
  execFileSync("dcmconv", ["+ti", ctFile(51), path.join(dir, "b.dcm")]);
  execFileSync("dcmcrle", [ctFile(52), path.join(dir, "c.dcm")]);
  const report = await deidentify(dir, path.join(work, "syntaxes-out"), { key: KEY });
  assert.equal(report.files.length, 3);
  const py = `import json, sys, pydicom, numpy as np
out = []
for o, i in zip(sys.argv[1::2], sys.argv[2::2]):
    a, b = pydicom.dcmread(o), pydicom.dcmread(i)
    out.append([str(a.file_meta.TransferSyntaxUID), bool(np.array_equal(a.pixel_array, b.pixel_array)), str(a.PatientName)])
print(json.dumps(out))`;
  const pairs = ["a", "b", "c"].flatMap((n, k) => [path.join(report.output, `IM000${k + 1}.dcm`), path.join(dir, `${n}.dcm`)]);
  const got = JSON.parse(execFileSync("/usr/bin/python3", ["-c", py, ...pairs], { encoding: "utf8" }));
  assert.deepEqual(got, [
    ["1.2.840.10008.1.2.4.80", true, ""],
    ["1.2.840.10008.1.2.1", true, ""],
    ["1.2.840.10008.1.2.5", true, ""],
  ]);
  // dcmtk's own decoders read the encapsulated outputs.
  execFileSync("dcmdjpls", [path.join(report.output, "IM0001.dcm"), path.join(work, "a-raw.dcm")]);
  execFileSync("dcmdrle", [path.join(report.output, "IM0003.dcm"), path.join(work, "c-raw.dcm")]);
});
