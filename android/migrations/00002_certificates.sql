-- Device certificates through the companion app (see android/certificates.go).

-- A tenant's certificate settings: present when the tenant enables certificates.
-- key_apps lists, one a line, the work apps given the key's alias (choosePrivateKeyRules).
CREATE TABLE android_certificate_settings (
    tenant_id         TEXT PRIMARY KEY REFERENCES tenants (id),
    companion_package TEXT NOT NULL,
    key_alias         TEXT NOT NULL,
    key_apps          TEXT NOT NULL,
    updated_at        {{.Time}} NOT NULL
);

-- The bootstrap secret in the managed configuration of each work policy's AMAPI policy:
-- only its SHA-256, made new whenever the policy is sent.
CREATE TABLE android_bootstrap_secrets (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    work_policy_id TEXT NOT NULL,
    secret_hash    {{.Bytes}} NOT NULL UNIQUE,
    updated_at     {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, work_policy_id)
);

-- The enrolment-specific ID that a work profile reports (Android 12 and later), the one
-- hardware fact kept: the companion app names its work profile by it.
CREATE TABLE android_enterprise_ids (
    tenant_id              TEXT NOT NULL REFERENCES tenants (id),
    enterprise_specific_id TEXT NOT NULL,
    device_id              TEXT NOT NULL,
    PRIMARY KEY (tenant_id, enterprise_specific_id)
);
CREATE INDEX android_enterprise_ids_device ON android_enterprise_ids (tenant_id, device_id);
