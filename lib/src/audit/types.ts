/** Verdict for publishing one series (see the README's audit section for each meaning). */
export type PublishVerdict = "face" | "review" | "removed" | "not-head" | "unreadable";

/** Kinds of object the audit walker finds. */
export type AuditItemKind = "dicom-series" | "nifti" | "image-2d" | "rt-object";

/** One thing to audit: a volumetric DICOM series, a NIfTI file, a 2D image series (OCR) or an RT object. */
export interface AuditItem {
  /** Stable id (hash of kind and files): the key of its result file and of its queue job. */
  id: string;
  kind: AuditItemKind;
  /** Series folder / file shown to people (relative to the audited root where possible). */
  label: string;
  /** Files that make up the item (absolute paths). */
  files: string[];
  seriesInstanceUid?: string;
  sopClassUid?: string;
}

/** One piece of evidence behind a face verdict, as the face-presence check reports it. */
export interface AuditEvidence {
  detector: string;
  variant: string;
  score: number;
  position?: [number, number, number];
}

/** A header attribute that still carries identity by the DICOM PS3.15 Basic Profile. */
export interface HeaderRisk {
  tag: string;
  name: string;
  /** The Basic Profile action that would apply (D, Z, X, U …). */
  action: string;
  /** Length of the stored value (the value itself is never copied into the report). */
  length: number;
}

/** The audit of one item. */
export interface ItemAudit {
  id: string;
  kind: AuditItemKind;
  label: string;
  verdict: PublishVerdict | "listed";
  reason: string;
  modality?: string;
  bodyPart?: string;
  geometry?: { shape: [number, number, number]; spacing: [number, number, number]; orientation: string };
  face?: { present: "yes" | "no" | "uncertain"; score: number; level: number; evidence: AuditEvidence[] };
  headerRisks: HeaderRisk[];
  burnedInAnnotation?: string;
  /** Text found by OCR in 2D images. */
  ocrText?: string[];
  /** RT objects: whether they can reconstruct the face surface (body contour, dose grid). */
  canReconstructFace?: boolean;
  /** Thumbnails (PNG files relative to the report folder). */
  thumbnails: { front?: string; profile?: string; image?: string };
  /** sha256 of every input file of the item. */
  inputHashes: Record<string, string>;
  error?: { code: string; message: string };
  timeMs: number;
  worker?: string;
  attempts?: number;
}

/** A file the walker could not use, with why. */
export interface BrokenFile {
  path: string;
  code: string;
  message: string;
}

/** report.json: the whole audit. */
export interface AuditReport {
  schema: "unmask-audit/1";
  unmaskVersion: string;
  createdAt: string;
  roots: string[];
  options: Record<string, unknown>;
  /** sha256 of each model file the verdicts depended on. */
  models: Record<string, string>;
  summary: Record<PublishVerdict | "listed", number> & { items: number; brokenFiles: number };
  items: ItemAudit[];
  brokenFiles: BrokenFile[];
  ignoredFiles: string[];
}
