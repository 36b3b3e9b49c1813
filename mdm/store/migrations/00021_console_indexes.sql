-- Indexes for the dashboard's listings: newest first with keyset pagination, filtered by
-- state or platform, searched by the start of an employee's e-mail address or name, and
-- counted for the overview from the index alone.
-- On PostgreSQL the search columns are indexed in the "C" collation, in which a prefix is
-- a range of bytes as it is in SQLite.
CREATE INDEX devices_newest ON devices (tenant_id, created_at, id);
CREATE INDEX devices_state_newest ON devices (tenant_id, state, created_at, id);
CREATE INDEX devices_platform_newest ON devices (tenant_id, platform, created_at, id);
CREATE INDEX devices_counts ON devices (tenant_id, platform, state, compliance);
CREATE INDEX employees_newest ON employees (tenant_id, created_at, id);
CREATE INDEX employees_email_prefix ON employees (tenant_id, email{{if .Postgres}} COLLATE "C"{{end}});
CREATE INDEX employees_name_prefix ON employees (tenant_id, (lower(name)){{if .Postgres}} COLLATE "C"{{end}});
CREATE INDEX invitations_newest ON invitations (tenant_id, created_at, id);
