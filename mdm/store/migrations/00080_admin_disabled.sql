-- An administrator can be disabled: no sign-in, no session; the row stays for the audit
-- trail, which names administrators by ID.
ALTER TABLE admins ADD COLUMN disabled_at {{.Time}};
