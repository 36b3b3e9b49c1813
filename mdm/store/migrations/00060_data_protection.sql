-- Data protection per tenant: how long device data and audit events are kept, the
-- inactivity rule, and what the record of processing says. A tenant without a row has
-- the defaults (see mdm.DefaultDataProtection).
CREATE TABLE data_protection_settings (
    tenant_id             TEXT PRIMARY KEY REFERENCES tenants (id),
    device_retention_days BIGINT NOT NULL CHECK (device_retention_days BETWEEN 1 AND 3650),
    audit_retention_years BIGINT NOT NULL CHECK (audit_retention_years BETWEEN 0 AND 100),
    inactivity_days       BIGINT NOT NULL CHECK (inactivity_days IN (0, 30, 60, 90)),
    inactivity_grace_days BIGINT NOT NULL CHECK (inactivity_grace_days BETWEEN 1 AND 365),
    inactivity_action     TEXT NOT NULL CHECK (inactivity_action IN ('lock', 'remove')),
    it_contact_email      TEXT NOT NULL,
    purposes              TEXT NOT NULL,
    measures              TEXT NOT NULL,
    updated_at            {{.Time}} NOT NULL
);

-- The retention sweep reads removed devices by the time of their removal.
CREATE INDEX devices_tenant_state_updated ON devices (tenant_id, state, updated_at);

-- Devices flagged by the inactivity rule. The primary key makes flagging happen once; the
-- conditional update of acted_at makes the action after the grace period happen once.
CREATE TABLE device_inactivity (
    tenant_id       TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    flagged_at      {{.Time}} NOT NULL,
    last_contact_at {{.Time}},
    mailed_at       {{.Time}},
    acted_at        {{.Time}},
    action          TEXT NOT NULL,
    PRIMARY KEY (tenant_id, device_id),
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX device_inactivity_open ON device_inactivity (tenant_id, acted_at, flagged_at);

-- Pruning of the audit trail after its retention period. Each row says that the tenant's
-- events up to and including up_to_seq were removed; the trail then starts after a signed
-- checkpoint at up_to_seq, and an audit.prune event in the remaining chain records it.
-- Rows are never changed or removed.
CREATE TABLE audit_prunes (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    up_to_seq  BIGINT NOT NULL,
    events     BIGINT NOT NULL,
    cutoff     {{.Time}} NOT NULL,
    pruned_at  {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, up_to_seq)
);

-- Events stay append-only, except that events covered by a prune may be deleted.
{{if .Postgres}}
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.seq <= (SELECT COALESCE(MAX(up_to_seq), 0) FROM audit_prunes WHERE tenant_id = OLD.tenant_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER audit_prunes_no_update BEFORE UPDATE OR DELETE ON audit_prunes
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_prunes_no_truncate BEFORE TRUNCATE ON audit_prunes
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
{{else}}
DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN OLD.seq > (SELECT COALESCE(MAX(up_to_seq), 0) FROM audit_prunes WHERE tenant_id = OLD.tenant_id)
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_prunes_no_update BEFORE UPDATE ON audit_prunes
BEGIN
    SELECT RAISE(ABORT, 'audit prunes are append-only');
END;
CREATE TRIGGER audit_prunes_no_delete BEFORE DELETE ON audit_prunes
BEGIN
    SELECT RAISE(ABORT, 'audit prunes are append-only');
END;
{{end}}
