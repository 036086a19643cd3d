// A forked audit worker: one per process because the native WebGL and canvas modules load in one
// thread per process only. It audits the items the parent sends and writes each result atomically.
import { writeFileAtomic } from "../core/fs";
import { auditItem } from "./item";
import { itemResultPath } from "./run";
import type { AuditItem } from "./types";

process.on("message", async (m: { type: string; item?: AuditItem; outDir?: string; level?: number }) => {
  if (m.type === "exit") {
    process.exit(0);
  }
  if (m.type !== "audit" || !m.item || !m.outDir) return;
  try {
    process.send?.({ type: "started", id: m.item.id });
    const r = await auditItem(m.item, { outDir: m.outDir, level: m.level });
    r.worker = `local:${process.pid}`;
    writeFileAtomic(itemResultPath(m.outDir, m.item.id), JSON.stringify(r) + "\n");
    process.send?.({ type: "done", id: m.item.id });
  } catch (e) {
    process.send?.({ type: "failed", id: m.item.id, error: (e as Error)?.stack ?? String(e) });
  }
});
