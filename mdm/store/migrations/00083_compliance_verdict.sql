-- A device's one compliance verdict (see mdm.VerdictOf): compliant, in_grace (until
-- verdict_until), noncompliant, unknown, or '' for a removed device, which has none, with
-- its reasons one a line. The column compliance keeps what the platform itself reported.
-- The overview counts (migration 00081) count the verdict from now on.
ALTER TABLE devices ADD COLUMN verdict TEXT NOT NULL DEFAULT 'unknown'
    CHECK (verdict IN ('', 'unknown', 'compliant', 'in_grace', 'noncompliant'));
ALTER TABLE devices ADD COLUMN verdict_until {{.Time}};
ALTER TABLE devices ADD COLUMN verdict_reasons TEXT NOT NULL DEFAULT '';

-- Until the compliance job settles them (at its next run), devices with an open failure
-- are in grace, or non-compliant once a consequence was carried out.
UPDATE devices SET verdict = CASE
    WHEN state = 'removed' THEN ''
    WHEN compliance = 'noncompliant' OR EXISTS (SELECT 1 FROM compliance_failures f
        WHERE f.tenant_id = devices.tenant_id AND f.device_id = devices.id AND f.acted_at IS NOT NULL) THEN 'noncompliant'
    WHEN EXISTS (SELECT 1 FROM compliance_failures f WHERE f.tenant_id = devices.tenant_id AND f.device_id = devices.id) THEN 'in_grace'
    ELSE compliance END,
    verdict_reasons = CASE WHEN state = 'removed' THEN '' ELSE non_compliance END;

DELETE FROM device_count_deltas;
INSERT INTO device_count_deltas (tenant_id, platform, state, compliance, delta)
    SELECT tenant_id, platform, state, verdict, COUNT(*) FROM devices GROUP BY tenant_id, platform, state, verdict;
DROP TRIGGER devices_count_update{{if .Postgres}} ON devices{{end}};
{{if .Postgres}}
CREATE OR REPLACE FUNCTION device_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO device_count_deltas VALUES (OLD.tenant_id, OLD.platform, OLD.state, OLD.verdict, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO device_count_deltas VALUES (NEW.tenant_id, NEW.platform, NEW.state, NEW.verdict, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER devices_count_update AFTER UPDATE OF tenant_id, platform, state, verdict ON devices
    FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.platform IS DISTINCT FROM NEW.platform
        OR OLD.state IS DISTINCT FROM NEW.state OR OLD.verdict IS DISTINCT FROM NEW.verdict)
    EXECUTE FUNCTION device_count_change();
{{else}}
DROP TRIGGER devices_count_insert;
DROP TRIGGER devices_count_delete;
CREATE TRIGGER devices_count_insert AFTER INSERT ON devices BEGIN
    INSERT INTO device_count_deltas VALUES (NEW.tenant_id, NEW.platform, NEW.state, NEW.verdict, 1);
END;
CREATE TRIGGER devices_count_delete AFTER DELETE ON devices BEGIN
    INSERT INTO device_count_deltas VALUES (OLD.tenant_id, OLD.platform, OLD.state, OLD.verdict, -1);
END;
CREATE TRIGGER devices_count_update AFTER UPDATE OF tenant_id, platform, state, verdict ON devices
    WHEN OLD.tenant_id IS NOT NEW.tenant_id OR OLD.platform IS NOT NEW.platform
        OR OLD.state IS NOT NEW.state OR OLD.verdict IS NOT NEW.verdict
BEGIN
    INSERT INTO device_count_deltas VALUES (OLD.tenant_id, OLD.platform, OLD.state, OLD.verdict, -1);
    INSERT INTO device_count_deltas VALUES (NEW.tenant_id, NEW.platform, NEW.state, NEW.verdict, 1);
END;
{{end}}
