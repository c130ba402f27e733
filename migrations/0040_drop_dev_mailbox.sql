-- The cross-workspace mailbox look-up goes: the local mail outbox is read per signed-in workspace,
-- under row-level security like every other tenant table.
DROP FUNCTION IF EXISTS dev_mailbox(integer, text);
