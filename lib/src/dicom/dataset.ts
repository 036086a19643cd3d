import * as fs from "node:fs";
import { NotDicomError, TruncatedDicomError } from "../core/errors";
import { encodableSyntax, encodeExplicitLittle } from "./encode";

/** One element of a dcmjs dataset: VR and values (strings, numbers, PN objects, item datasets, ArrayBuffers). */
export interface DicomElement {
  vr: string;
  Value?: unknown[];
  /** dcmjs keeps the value's original bytes for some VRs. */
  [key: string]: unknown;
}

/** A dataset as dcmjs holds it: upper-case 8-hex-digit tag → element. */
export type DicomDataset = Record<string, DicomElement>;

/** A whole Part 10 file: file meta group and dataset. */
export interface DicomFileData {
  meta: DicomDataset;
  dict: DicomDataset;
}

interface DcmjsDicomDict {
  meta: DicomDataset;
  dict: DicomDataset;
  write(options?: Record<string, unknown>): ArrayBuffer;
}
interface Dcmjs {
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DcmjsDicomDict };
    DicomDict: new (meta: DicomDataset) => DcmjsDicomDict;
    DicomMetaDictionary: { dictionary: Record<string, { tag: string; vr: string; name: string; vm: string }> };
  };
  log: { setLevel(level: string): void };
}

let cached: Dcmjs | null = null;
/** dcmjs, loaded on first use (it has no type declarations; this module types the part unmask uses). */
export function dcmjs(): Dcmjs {
  if (!cached) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require("dcmjs") as Dcmjs;
    // dcmjs logs every unknown private tag at warn level; unmask reports what matters itself.
    cached.log.setLevel("error");
  }
  return cached;
}

/** Read a Part 10 file into a dcmjs dataset (every attribute, sequences and private tags included). */
export function readDicomDataset(path: string): DicomFileData {
  const bytes = fs.readFileSync(path);
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const d = dcmjs().data.DicomMessage.readFile(ab, { ignoreErrors: false });
    return { meta: d.meta, dict: d.dict };
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (/offset|bounds|end of|outside/i.test(text)) throw new TruncatedDicomError(path, text);
    throw new NotDicomError(path, text);
  }
}

/** Encode a dataset as a Part 10 file in the transfer syntax its meta names (unmask's own encoder for Explicit VR Little Endian, native or encapsulated; dcmjs for others). */
export function encodeDicomFile(file: DicomFileData): Uint8Array {
  const ts = String(file.meta["00020010"]?.Value?.[0] ?? "");
  if (encodableSyntax(ts)) return encodeExplicitLittle(file);
  // Other syntaxes (implicit VR, big endian, deflate): dcmjs's writer.
  const d = new (dcmjs().data.DicomDict)(file.meta);
  d.dict = file.dict;
  return new Uint8Array(d.write({ allowInvalidVRLength: false }));
}

/** Data dictionary entry for a tag ("00100010"), or undefined. */
export function dictionaryEntry(tag: string): { vr: string; name: string; vm: string } | undefined {
  const t = tag.toUpperCase();
  return dcmjs().data.DicomMetaDictionary.dictionary[`(${t.slice(0, 4)},${t.slice(4)})`];
}

/** The first value of an element as a string ("" when absent or empty). */
export function firstString(ds: DicomDataset, tag: string): string {
  const v = ds[tag]?.Value?.[0];
  if (v === undefined || v === null) return "";
  if (typeof v === "object" && "Alphabetic" in (v as object)) return String((v as { Alphabetic?: string }).Alphabetic ?? "");
  return String(v);
}

/** Explicit VR Little Endian. */
export const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
