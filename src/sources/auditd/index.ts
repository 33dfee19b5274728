/** Linux audit logs (auditd RAW and ENRICHED): records → assembled events. */
export { AuditdStream, MAX_AUDIT_LINE } from './stream.js';
export { EventAssembler, DEFAULT_LIMITS, type AssemblerLimits, type AssembledOutput } from './assembler.js';
export { readAuditdLog } from './read-auditd.js';
export { looksLikeAuditd } from './sniff.js';
export { archName, syscallName } from './arch.js';
export type { AuditEventJson, AuditRecordJson } from './event.js';
