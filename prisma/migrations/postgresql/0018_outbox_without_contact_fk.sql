-- Issue 13, "the normal bench must not get slower by more than 10%" (PostgreSQL was 12-18% slower):
-- the outbox's foreign key to contacts ran a `SELECT ... FOR KEY SHARE` on the contact for every
-- reply stored (1.1-1.7 ms per batch of 100 turns). It protected nothing the hot path needs: a
-- turn's replies are written in the statement that writes their history rows, whose own foreign key
-- refuses a contact that is gone. Erasing deletes a contact's outbox rows itself (contactData.ts,
-- not through ON DELETE CASCADE); a row another transaction stored for them meanwhile is never
-- claimed (claimHeads checks the contact exists) and the daily purge removes it. SQLite keeps the
-- key (its check costs next to nothing there, and dropping it would rebuild the table).
-- Hand-written: prisma/schema.prisma keeps the relation, which Prisma's queries use.

ALTER TABLE "outbox" DROP CONSTRAINT "outbox_contact_id_fkey";
