-- Declarative Device Management (ios/ddm). An enrolment of iOS or iPadOS 17 or later is
-- managed declaratively: it follows one declaration set, which its work policy (and the
-- employee's app licences) make; a set is stored once per tenant and content however many
-- enrolments follow it. The status items the phone reports go to the core's facts where
-- the core has one (OS version, passcode compliance) and to ios_work_apps (the work apps
-- and their versions); the rest is kept here.
CREATE TABLE ios_ddm_sets (
    tenant_id  TEXT NOT NULL,
    -- the set's declarations token: a digest of its content
    token      TEXT NOT NULL,
    -- the declarations and their assets' data, JSON
    content    {{.Bytes}} NOT NULL,
    -- when the set was last assigned; a set no enrolment follows is dropped an hour on
    created_at {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, token)
);

CREATE TABLE ios_ddm_enrolments (
    enrollment_id    TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL,
    device_id        TEXT NOT NULL,
    -- the set the enrolment follows; '' until its policy is first applied
    set_token        TEXT NOT NULL DEFAULT '',
    os_build         TEXT NOT NULL DEFAULT '',
    -- 'true', 'false' or '' (not reported yet)
    passcode_present TEXT NOT NULL DEFAULT '',
    -- management.client-capabilities, JSON; '' until reported
    capabilities     TEXT NOT NULL DEFAULT '',
    enabled_at       {{.Time}} NOT NULL,
    status_at        {{.Time}}
);
CREATE INDEX ios_ddm_enrolments_device ON ios_ddm_enrolments (tenant_id, device_id);
CREATE INDEX ios_ddm_enrolments_set ON ios_ddm_enrolments (tenant_id, set_token);

-- The state of each declaration as the phone last reported it (management.declarations).
CREATE TABLE ios_ddm_declaration_status (
    enrollment_id TEXT NOT NULL,
    identifier    TEXT NOT NULL,
    tenant_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    manifest_type TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    valid         TEXT NOT NULL,
    server_token  TEXT NOT NULL,
    reasons       TEXT NOT NULL,
    updated_at    {{.Time}} NOT NULL,
    PRIMARY KEY (enrollment_id, identifier)
);
CREATE INDEX ios_ddm_declaration_status_device ON ios_ddm_declaration_status (tenant_id, device_id);

-- The version of a work app, where the phone reports it (app.managed.list).
ALTER TABLE ios_work_apps ADD COLUMN version TEXT NOT NULL DEFAULT '';
