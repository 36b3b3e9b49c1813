-- The Android platform's state beside the domain (see android/store.go). Rendered like the
-- domain's migrations (see mdm/store/migrate.go).

-- The Android enterprise a tenant is bound to, and the secret of its Pub/Sub push URL
-- (only its SHA-256 is kept).
CREATE TABLE android_enterprises (
    tenant_id        TEXT PRIMARY KEY REFERENCES tenants (id),
    enterprise_name  TEXT NOT NULL UNIQUE,
    pubsub_topic     TEXT NOT NULL,
    push_secret_hash {{.Bytes}} NOT NULL UNIQUE,
    created_at       {{.Time}} NOT NULL,
    updated_at       {{.Time}} NOT NULL
);

-- Sign-ups begun from the dashboard: the callback carries the row's ID as state.
CREATE TABLE android_signups (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    signup_url_name TEXT NOT NULL,
    created_at      {{.Time}} NOT NULL
);

-- The AMAPI policy of each work policy, and the policy version last applied.
CREATE TABLE android_policies (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    work_policy_id  TEXT NOT NULL,
    policy_name     TEXT NOT NULL UNIQUE,
    applied_version BIGINT NOT NULL,
    updated_at      {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, work_policy_id)
);

-- Pub/Sub message IDs seen, so that a message delivered twice is processed once.
CREATE TABLE android_messages (
    tenant_id   TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    received_at {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, message_id)
);
CREATE INDEX android_messages_received ON android_messages (received_at);

-- The AMAPI operation of each command sent, for the COMMAND notification.
CREATE TABLE android_operations (
    operation_name TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    command_id     TEXT NOT NULL,
    created_at     {{.Time}} NOT NULL
);

-- The service-account key for AMAPI, sealed with the master key: read once from the file
-- the operator names, so that the file need not stay on disk.
CREATE TABLE android_credentials (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    sealed     {{.Bytes}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
