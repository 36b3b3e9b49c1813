-- The ground every later capability stands on. Written once for every database; the
-- type names that differ are filled in when the migration is rendered (see migrate.go).
-- Rows that belong to a tenant reference their parents through (tenant_id, id), so the
-- database itself refuses a reference into another tenant.

-- Settings of the whole installation, such as the check value that proves the master key
-- is the one this installation's secrets are sealed with.
CREATE TABLE installation_settings (
    name  TEXT PRIMARY KEY,
    value {{.Bytes}} NOT NULL
);

CREATE TABLE tenants (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created_at   {{.Time}} NOT NULL
);

CREATE TABLE admins (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants (id),
    email                TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'helpdesk', 'dpo')),
    password_hash        TEXT NOT NULL,
    totp_secret          {{.Bytes}} NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    created_at           {{.Time}} NOT NULL,
    UNIQUE (tenant_id, email)
);

CREATE TABLE employees (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    email            TEXT NOT NULL,
    name             TEXT NOT NULL,
    managed_apple_id TEXT NOT NULL,
    created_at       {{.Time}} NOT NULL,
    UNIQUE (tenant_id, email),
    UNIQUE (tenant_id, id)
);

CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    code_hash   {{.Bytes}} NOT NULL UNIQUE,
    platform    TEXT NOT NULL CHECK (platform IN ('ios', 'android', 'any')),
    expires_at  {{.Time}} NOT NULL,
    used_at     {{.Time}},
    revoked_at  {{.Time}},
    created_at  {{.Time}} NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id)
);
CREATE INDEX invitations_employee ON invitations (tenant_id, employee_id);

CREATE TABLE work_policies (
    id                     TEXT PRIMARY KEY,
    tenant_id              TEXT NOT NULL REFERENCES tenants (id),
    name                   TEXT NOT NULL,
    description            TEXT NOT NULL,
    version                BIGINT NOT NULL,
    work_passcode_required BOOLEAN NOT NULL,
    copy_paste_to_personal BOOLEAN NOT NULL,
    created_at             {{.Time}} NOT NULL,
    updated_at             {{.Time}} NOT NULL,
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, id)
);

CREATE TABLE app_assignments (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    work_policy_id TEXT NOT NULL,
    platform       TEXT NOT NULL CHECK (platform IN ('ios', 'android')),
    app_id         TEXT NOT NULL,
    install_type   TEXT NOT NULL CHECK (install_type IN ('required', 'available')),
    managed_config TEXT NOT NULL,
    UNIQUE (work_policy_id, platform, app_id),
    FOREIGN KEY (tenant_id, work_policy_id) REFERENCES work_policies (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE devices (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    employee_id     TEXT NOT NULL,
    invitation_id   TEXT,
    work_policy_id  TEXT,
    platform        TEXT NOT NULL CHECK (platform IN ('ios', 'android')),
    platform_id     TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('invited', 'enrolling', 'active', 'removing', 'removed')),
    os_version      TEXT NOT NULL,
    compliance      TEXT NOT NULL CHECK (compliance IN ('unknown', 'compliant', 'noncompliant')),
    last_contact_at {{.Time}},
    created_at      {{.Time}} NOT NULL,
    updated_at      {{.Time}} NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id),
    FOREIGN KEY (tenant_id, invitation_id) REFERENCES invitations (tenant_id, id),
    FOREIGN KEY (tenant_id, work_policy_id) REFERENCES work_policies (tenant_id, id)
);
CREATE UNIQUE INDEX devices_platform_id ON devices (platform, platform_id) WHERE platform_id <> '';
CREATE INDEX devices_tenant_state ON devices (tenant_id, state);
CREATE INDEX devices_employee ON devices (tenant_id, employee_id);

CREATE TABLE commands (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'acknowledged', 'error')),
    error       TEXT NOT NULL,
    created_at  {{.Time}} NOT NULL,
    sent_at     {{.Time}},
    finished_at {{.Time}},
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id)
);
CREATE INDEX commands_device ON commands (tenant_id, device_id, state, created_at);

-- The audit trail: one hash chain per tenant. The head row is locked by every append, so
-- that writers on several replicas queue instead of forking the chain.
CREATE TABLE audit_heads (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants (id),
    seq       BIGINT NOT NULL,
    hash      {{.Bytes}} NOT NULL
);

CREATE TABLE audit_events (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    seq       BIGINT NOT NULL,
    at        {{.Time}} NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash {{.Bytes}} NOT NULL,
    hash      {{.Bytes}} NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_events_at ON audit_events (tenant_id, at);

-- Append-only in the database too: no update or delete of an event through SQL.
{{if .Postgres}}
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
{{else}}
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
{{end}}
