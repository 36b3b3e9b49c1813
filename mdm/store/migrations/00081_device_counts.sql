-- The overview's device counts without counting every device on each load: every insert,
-- delete and change of platform, state or compliance of a device adds a row of +1/-1 here
-- (only inserts, so concurrent changes never wait for each other or deadlock), and the
-- reader sums the tenant's rows, folding them into one row per combination once there are
-- many (see store.DeviceCounts).
CREATE TABLE device_count_deltas (
    tenant_id  TEXT NOT NULL,
    platform   TEXT NOT NULL,
    state      TEXT NOT NULL,
    compliance TEXT NOT NULL,
    delta      BIGINT NOT NULL
);
CREATE INDEX device_count_deltas_tenant ON device_count_deltas (tenant_id, platform, state, compliance, delta);

INSERT INTO device_count_deltas (tenant_id, platform, state, compliance, delta)
    SELECT tenant_id, platform, state, compliance, COUNT(*) FROM devices GROUP BY tenant_id, platform, state, compliance;
{{if .Postgres}}
CREATE FUNCTION device_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO device_count_deltas VALUES (OLD.tenant_id, OLD.platform, OLD.state, OLD.compliance, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO device_count_deltas VALUES (NEW.tenant_id, NEW.platform, NEW.state, NEW.compliance, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER devices_count_insert_delete AFTER INSERT OR DELETE ON devices
    FOR EACH ROW EXECUTE FUNCTION device_count_change();
CREATE TRIGGER devices_count_update AFTER UPDATE OF tenant_id, platform, state, compliance ON devices
    FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.platform IS DISTINCT FROM NEW.platform
        OR OLD.state IS DISTINCT FROM NEW.state OR OLD.compliance IS DISTINCT FROM NEW.compliance)
    EXECUTE FUNCTION device_count_change();
{{else}}
CREATE TRIGGER devices_count_insert AFTER INSERT ON devices BEGIN
    INSERT INTO device_count_deltas VALUES (NEW.tenant_id, NEW.platform, NEW.state, NEW.compliance, 1);
END;
CREATE TRIGGER devices_count_delete AFTER DELETE ON devices BEGIN
    INSERT INTO device_count_deltas VALUES (OLD.tenant_id, OLD.platform, OLD.state, OLD.compliance, -1);
END;
CREATE TRIGGER devices_count_update AFTER UPDATE OF tenant_id, platform, state, compliance ON devices
    WHEN OLD.tenant_id IS NOT NEW.tenant_id OR OLD.platform IS NOT NEW.platform
        OR OLD.state IS NOT NEW.state OR OLD.compliance IS NOT NEW.compliance
BEGIN
    INSERT INTO device_count_deltas VALUES (OLD.tenant_id, OLD.platform, OLD.state, OLD.compliance, -1);
    INSERT INTO device_count_deltas VALUES (NEW.tenant_id, NEW.platform, NEW.state, NEW.compliance, 1);
END;
{{end}}
