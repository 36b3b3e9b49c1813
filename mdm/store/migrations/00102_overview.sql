-- The overview's figures (mdm/overview).
--
-- The compliance of a tenant's devices on each day: how many had each verdict, as the
-- daily snapshot job counted them (the verdicts themselves stay with the devices; this
-- keeps only their counts, no device and no person). One row per tenant and day (UTC,
-- 'YYYY-MM-DD'); a later run on the same day replaces the day's counts.
CREATE TABLE compliance_days (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    day          TEXT NOT NULL CHECK (length(day) = 10),
    compliant    BIGINT NOT NULL CHECK (compliant >= 0),
    in_grace     BIGINT NOT NULL CHECK (in_grace >= 0),
    noncompliant BIGINT NOT NULL CHECK (noncompliant >= 0),
    unknown      BIGINT NOT NULL CHECK (unknown >= 0),
    taken_at     {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, day)
);

-- What the same job counts from the devices, so that a load of the overview does not
-- step through every device of a large tenant: the devices whose enrolment began on each
-- day (UTC) of the last 90, recounted every run, and the active devices by platform and OS
-- version as the last run found them, replaced by each run.
CREATE TABLE enrolment_days (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    day        TEXT NOT NULL CHECK (length(day) = 10),
    enrolments BIGINT NOT NULL CHECK (enrolments >= 0),
    PRIMARY KEY (tenant_id, day)
);
CREATE TABLE os_version_counts (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    platform   TEXT NOT NULL,
    os_version TEXT NOT NULL,
    devices    BIGINT NOT NULL CHECK (devices > 0),
    taken_at   {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, platform, os_version)
);

-- Indexes for the rest: the job counts the OS versions of the active devices from the
-- index alone; the overview counts the active devices whose last contact is older than
-- the inactivity rule's days (the expression is the one the rule uses,
-- store.DataProtection.InactiveDevices) and the commands that failed lately (partial, so
-- the index holds only the failures).
CREATE INDEX devices_os_versions ON devices (tenant_id, state, platform, os_version);
CREATE INDEX devices_last_contact ON devices (tenant_id, state, (COALESCE(last_contact_at, created_at)));
CREATE INDEX commands_failed ON commands (tenant_id, finished_at) WHERE state = 'error';
