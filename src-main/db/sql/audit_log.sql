-- The audit log is append-only: the app has no way to edit or remove an entry (its rows are chained
-- by hash, see src-main/db/protect/audit.ts). The table itself is in schema.ts.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN
  SELECT RAISE(ABORT, 'The audit log cannot be changed.');
END;

CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN
  SELECT RAISE(ABORT, 'The audit log cannot be changed.');
END;
