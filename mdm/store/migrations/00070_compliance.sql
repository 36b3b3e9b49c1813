-- Compliance rules per work policy, one row per rule switched on.
CREATE TABLE compliance_rules (
    tenant_id      TEXT NOT NULL,
    work_policy_id TEXT NOT NULL,
    rule           TEXT NOT NULL CHECK (rule IN ('android_version', 'ios_version', 'patch_age', 'work_passcode', 'integrity', 'contact')),
    min_version    TEXT NOT NULL,
    days           BIGINT NOT NULL CHECK (days BETWEEN 0 AND 3650),
    grace_days     BIGINT NOT NULL CHECK (grace_days BETWEEN 0 AND 365),
    consequences   TEXT NOT NULL,
    updated_at     {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, work_policy_id, rule),
    FOREIGN KEY (tenant_id, work_policy_id) REFERENCES work_policies (tenant_id, id) ON DELETE CASCADE
);

-- What a platform reported beyond the device's status: the work passcode and the
-- device's integrity, each met, failed or unknown. Written only when it changes.
CREATE TABLE compliance_facts (
    tenant_id        TEXT NOT NULL,
    device_id        TEXT NOT NULL,
    passcode         TEXT NOT NULL CHECK (passcode IN ('unknown', 'met', 'failed')),
    integrity        TEXT NOT NULL CHECK (integrity IN ('unknown', 'met', 'failed')),
    integrity_detail TEXT NOT NULL,
    updated_at       {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, device_id),
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id) ON DELETE CASCADE
);

-- The rules a device breaks now; a row goes when the device meets the rule again. The
-- conditional updates of notified_at and acted_at make the mail and the consequences
-- happen once.
CREATE TABLE compliance_failures (
    tenant_id   TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    rule        TEXT NOT NULL,
    since       {{.Time}} NOT NULL,
    due_at      {{.Time}} NOT NULL,
    reason      TEXT NOT NULL,
    remedy      TEXT NOT NULL,
    notified_at {{.Time}},
    acted_at    {{.Time}},
    acted       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, device_id, rule),
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX compliance_failures_due ON compliance_failures (tenant_id, acted_at, due_at);

-- The history: one row per change of a rule's verdict on a device, not one per report.
CREATE TABLE compliance_changes (
    tenant_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    rule      TEXT NOT NULL,
    at        {{.Time}} NOT NULL,
    finding   TEXT NOT NULL,
    reason    TEXT NOT NULL,
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX compliance_changes_device ON compliance_changes (tenant_id, device_id, at);

