-- Signed checkpoints of the audit trail: every so many events or so much time, the hash of
-- a tenant's chain at one event, signed with a certificate of the installation's CA. A
-- rewrite of the whole chain (every hash recomputed, the head row too) no longer reaches
-- the signed hash. prev_seq names the tenant's checkpoint before, so that removing one is
-- seen at the next.
CREATE TABLE audit_checkpoints (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    seq         BIGINT NOT NULL,
    prev_seq    BIGINT NOT NULL,
    hash        {{.Bytes}} NOT NULL,
    at          {{.Time}} NOT NULL,
    signature   {{.Bytes}} NOT NULL,
    signer_cert {{.Bytes}} NOT NULL,
    PRIMARY KEY (tenant_id, seq),
    CHECK (prev_seq < seq)
);

-- Append-only like the events: no update or delete of a checkpoint through SQL, and on
-- PostgreSQL no TRUNCATE of either table.
{{if .Postgres}}
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
{{else}}
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;
{{end}}
