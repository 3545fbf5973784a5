// Data rights (issue 16): export and erasure of a contact, and the staff-side copies.
export { DATA_RIGHTS, DataRights, type EraseOutcome } from "./DataRights";
export { exportContact, EXPORT_SCHEMA_VERSION, type ContactExport } from "./exportContact";
export { eraseContact, planErase, type ErasePlan, type TicketCopies } from "./eraseContact";
export { CONTACT_TABLES, NOT_CONTACT_DATA, type ContactTable } from "./contactData";
export type { StaffRedactor, StaffRemoval } from "./StaffRedactor";
export { AlreadyErasedError } from "./errors";
