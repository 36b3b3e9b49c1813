-- Changes that invalidate what a server keeps in memory (store.Changes): one row per
-- change, keyed "kind:id" ("device:…", "enrolment:…", "serial:…"), written in the
-- transaction of the change. Every replica reads the rows committed since it last looked
-- (on PostgreSQL by the writing transaction's ID, so that a transaction committing late is
-- not passed over) and is woken at once by NOTIFY on the channel trennwand_cache. Rows
-- older than ten minutes are pruned.
CREATE TABLE cache_changes (
{{- if .Postgres}}
    id  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid XID8 NOT NULL DEFAULT pg_current_xact_id(),
{{- else}}
    id  INTEGER PRIMARY KEY AUTOINCREMENT,
{{- end}}
    key TEXT NOT NULL,
    at  {{.Time}} NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX cache_changes_at ON cache_changes (at);
{{if .Postgres}}
CREATE INDEX cache_changes_xid ON cache_changes (xid);

CREATE FUNCTION cache_change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('trennwand_cache', NEW.key);
    RETURN NULL;
END
$$;
CREATE TRIGGER cache_changes_notify AFTER INSERT ON cache_changes
    FOR EACH ROW EXECUTE FUNCTION cache_change_notify();

-- The change of a row keyed by its id, named kind:id (the trigger's argument is the kind).
CREATE FUNCTION cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO cache_changes (key) VALUES (TG_ARGV[0] || ':' || OLD.id);
    ELSE
        INSERT INTO cache_changes (key) VALUES (TG_ARGV[0] || ':' || NEW.id);
    END IF;
    RETURN NULL;
END
$$;

-- A device that changes anything but the time it was last heard from (written once a
-- minute per phone) or is deleted.
CREATE TRIGGER devices_cache_update AFTER UPDATE ON devices FOR EACH ROW
    WHEN ((OLD.tenant_id, OLD.employee_id, OLD.invitation_id, OLD.work_policy_id, OLD.platform, OLD.platform_id,
           OLD.state, OLD.os_version, OLD.compliance, OLD.security_patch_level, OLD.non_compliance,
           OLD.verdict, OLD.verdict_until, OLD.verdict_reasons)
        IS DISTINCT FROM
          (NEW.tenant_id, NEW.employee_id, NEW.invitation_id, NEW.work_policy_id, NEW.platform, NEW.platform_id,
           NEW.state, NEW.os_version, NEW.compliance, NEW.security_patch_level, NEW.non_compliance,
           NEW.verdict, NEW.verdict_until, NEW.verdict_reasons))
    EXECUTE FUNCTION cache_change('device');
CREATE TRIGGER devices_cache_delete AFTER DELETE ON devices
    FOR EACH ROW EXECUTE FUNCTION cache_change('device');
{{else}}
CREATE TRIGGER devices_cache_update AFTER UPDATE ON devices
    WHEN OLD.tenant_id IS NOT NEW.tenant_id OR OLD.employee_id IS NOT NEW.employee_id
        OR OLD.invitation_id IS NOT NEW.invitation_id OR OLD.work_policy_id IS NOT NEW.work_policy_id
        OR OLD.platform IS NOT NEW.platform OR OLD.platform_id IS NOT NEW.platform_id
        OR OLD.state IS NOT NEW.state OR OLD.os_version IS NOT NEW.os_version
        OR OLD.compliance IS NOT NEW.compliance OR OLD.security_patch_level IS NOT NEW.security_patch_level
        OR OLD.non_compliance IS NOT NEW.non_compliance OR OLD.verdict IS NOT NEW.verdict
        OR OLD.verdict_until IS NOT NEW.verdict_until OR OLD.verdict_reasons IS NOT NEW.verdict_reasons
BEGIN
    INSERT INTO cache_changes (key) VALUES ('device:' || OLD.id);
END;
CREATE TRIGGER devices_cache_delete AFTER DELETE ON devices BEGIN
    INSERT INTO cache_changes (key) VALUES ('device:' || OLD.id);
END;
{{end}}
