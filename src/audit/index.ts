// The audit log (issue 16): who did what to which record, and when.
export { audit, recordAudit, type AuditEvent, type AuditWriter } from "./record";
export { auditRows, type AuditRow, type AuditFilter } from "./query";
