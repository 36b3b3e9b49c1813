-- The work mail account of a work policy (mdm.MailAccount): its kind ('' for none,
-- 'exchange' or 'imap'), its name in the Mail app, the server's host and, for IMAP, the
-- port and the outgoing server. The employee's address is not here: each device gets its
-- employee's own.
ALTER TABLE work_policies ADD COLUMN mail_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE work_policies ADD COLUMN mail_name TEXT NOT NULL DEFAULT '';
ALTER TABLE work_policies ADD COLUMN mail_host TEXT NOT NULL DEFAULT '';
ALTER TABLE work_policies ADD COLUMN mail_port INTEGER NOT NULL DEFAULT 0;
ALTER TABLE work_policies ADD COLUMN mail_smtp_host TEXT NOT NULL DEFAULT '';
ALTER TABLE work_policies ADD COLUMN mail_smtp_port INTEGER NOT NULL DEFAULT 0;
