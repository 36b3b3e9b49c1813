-- Employees from the directory (LDAP/Active Directory sync, SCIM provisioning).
--
-- directory_configs: per tenant, how to read its directory (the bind password sealed with
-- the master key, bound to the tenant), the leavers' grace period and how the last sync
-- went. A tenant without a row has no LDAP sync; SCIM still works with the defaults.
CREATE TABLE directory_configs (
    tenant_id        TEXT PRIMARY KEY REFERENCES tenants (id),
    ldap_url         TEXT NOT NULL,
    start_tls        BOOLEAN NOT NULL,
    bind_dn          TEXT NOT NULL,
    bind_password    {{.Bytes}} NOT NULL,
    base_dn          TEXT NOT NULL,
    user_filter      TEXT NOT NULL,
    disabled_filter  TEXT NOT NULL,
    id_attr          TEXT NOT NULL,
    email_attr       TEXT NOT NULL,
    name_attr        TEXT NOT NULL,
    apple_id_attr    TEXT NOT NULL,
    group_attr       TEXT NOT NULL,
    grace_days       BIGINT NOT NULL CHECK (grace_days BETWEEN 1 AND 365),
    sync_minutes     BIGINT NOT NULL CHECK (sync_minutes BETWEEN 5 AND 10080),
    last_sync_at     {{.Time}},
    last_sync_error  TEXT NOT NULL DEFAULT '',
    last_sync_result TEXT NOT NULL DEFAULT '',
    updated_at       {{.Time}} NOT NULL
);

-- What a group of the directory means: which work policy its members' devices follow and
-- whether its new members get an invitation. priority orders the rules: a person in several
-- groups follows the rule of the lowest priority.
CREATE TABLE directory_rules (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    group_name  TEXT NOT NULL,
    priority    BIGINT NOT NULL,
    policy_id   TEXT NOT NULL,
    auto_invite BOOLEAN NOT NULL,
    PRIMARY KEY (tenant_id, group_name),
    FOREIGN KEY (tenant_id, policy_id) REFERENCES work_policies (tenant_id, id)
);

-- The directory's view of each employee, by the directory's own ID for them. left_at is
-- set when the person was disabled or removed, mailed_at when IT was told; removed_at once their work containers were
-- removed after the grace period (set in the transaction of the removal, so that it
-- happens once).
CREATE TABLE directory_people (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    external_id  TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('ldap', 'scim')),
    user_name    TEXT NOT NULL,
    email        TEXT NOT NULL,
    name         TEXT NOT NULL,
    managed_apple_id TEXT NOT NULL,
    group_names  TEXT NOT NULL,
    enabled      BOOLEAN NOT NULL,
    employee_id  TEXT NOT NULL DEFAULT '',
    invited_at   {{.Time}},
    left_at      {{.Time}},
    left_reason  TEXT NOT NULL DEFAULT '',
    mailed_at    {{.Time}},
    removed_at   {{.Time}},
    created_at   {{.Time}} NOT NULL,
    updated_at   {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, external_id)
);

CREATE INDEX directory_people_email ON directory_people (tenant_id, email);
CREATE INDEX directory_people_left ON directory_people (tenant_id, left_at);
