import type * as dicomParser from "dicom-parser";
import { PROFILE_TABLE } from "../anonymize/profile-table";
import type { HeaderRisk } from "./types";

// Exact tags, and repeating-group rows ("50xx…", "60xx…") as masks, of the Basic Profile's table.
const EXACT = new Map<string, { name: string; action: string }>();
const MASKED: { re: RegExp; name: string; action: string }[] = [];
let privateAction = "X";
for (const row of PROFILE_TABLE) {
  if (row.tag === "private") { privateAction = row.basic; continue; }
  if (row.basic === "K") continue;
  if (row.tag.includes("x")) MASKED.push({ re: new RegExp(`^${row.tag.replace(/x/g, "[0-9a-f]")}$`), name: row.name, action: row.basic });
  else EXACT.set(row.tag, { name: row.name, action: row.basic });
}

/**
 * Header attributes of a dataset that still carry identity by DICOM PS3.15 Table E.1-1: every present,
 * non-empty attribute whose Basic Profile action is not K (keep), and private attributes. Values are
 * not copied: only tag, name, action and length.
 */
export function headerRisks(ds: dicomParser.DataSet): HeaderRisk[] {
  const out: HeaderRisk[] = [];
  for (const [key, el] of Object.entries(ds.elements)) {
    const tag = key.slice(1).toLowerCase();
    if (tag.startsWith("0002") || tag === "7fe00010") continue;
    const len = el.length ?? 0;
    if (len <= 0 && !el.items?.length) continue;
    const group = parseInt(tag.slice(0, 4), 16);
    if (group % 2 === 1) {
      out.push({ tag: fmt(tag), name: "private attribute", action: privateAction, length: len });
      continue;
    }
    const hit = EXACT.get(tag) ?? MASKED.find((m) => m.re.test(tag));
    if (hit) out.push({ tag: fmt(tag), name: hit.name, action: hit.action, length: len });
  }
  return out.sort((a, b) => a.tag.localeCompare(b.tag));
}

function fmt(tag: string): string {
  return `(${tag.slice(0, 4).toUpperCase()},${tag.slice(4).toUpperCase()})`;
}
