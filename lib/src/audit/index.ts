export type { AuditItem, AuditItemKind, AuditReport, ItemAudit, PublishVerdict, HeaderRisk, BrokenFile, AuditEvidence } from "./types";
export { findAuditItems, type AuditInventory } from "./walk";
export { auditItem, type AuditItemOptions } from "./item";
export { runAudit, type AuditOptions } from "./run";
export { reportHtml } from "./report";
export { headerRisks } from "./header-risk";
export { ocrImage } from "./ocr";
export { enqueueAudit, runQueueWorker, redisConnection, AUDIT_QUEUE, type AuditJob, type QueueAuditOptions, type QueueWorkerOptions } from "./queue";
