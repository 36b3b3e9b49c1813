-- The work apps trennwand has put on each enrolment, with the configuration it sent and
-- where the installation stands. Only apps of the work policy are ever written here: the
-- phone's private apps are neither asked for nor kept.
CREATE TABLE ios_work_apps (
    enrollment_id TEXT NOT NULL,
    bundle_id     TEXT NOT NULL,
    tenant_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    config_hash   TEXT NOT NULL,
    -- queued: command waiting; installed: the phone acknowledged or lists it as managed;
    -- failed: the phone answered with an error; removing: RemoveApplication waiting
    state         TEXT NOT NULL CHECK (state IN ('queued', 'installed', 'failed', 'removing')),
    error         TEXT NOT NULL,
    command_uuid  TEXT NOT NULL,
    updated_at    {{.Time}} NOT NULL,
    PRIMARY KEY (enrollment_id, bundle_id)
);
CREATE INDEX ios_work_apps_device ON ios_work_apps (tenant_id, device_id);
CREATE INDEX ios_work_apps_command ON ios_work_apps (command_uuid);
