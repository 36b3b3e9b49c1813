-- The embedded CA's tables. Rendered like the domain's migrations ({{.Time}}, {{.Bytes}}).

-- The CA itself: one row for the installation. Private keys are sealed with the master key.
CREATE TABLE pki_authority (
    id                TEXT PRIMARY KEY,
    root_cert         {{.Bytes}} NOT NULL,
    root_key          {{.Bytes}} NOT NULL,
    intermediate_cert {{.Bytes}} NOT NULL,
    intermediate_key  {{.Bytes}} NOT NULL,
    ra_cert           {{.Bytes}} NOT NULL,
    ra_key            {{.Bytes}} NOT NULL,
    created_at        {{.Time}} NOT NULL
);

-- Every certificate the CA issued, with the enrolment it belongs to (empty for the
-- server's own TLS certificates).
CREATE TABLE pki_certificates (
    serial       TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    enrolment_id TEXT NOT NULL,
    subject      TEXT NOT NULL,
    not_before   {{.Time}} NOT NULL,
    not_after    {{.Time}} NOT NULL,
    der          {{.Bytes}} NOT NULL,
    created_at   {{.Time}} NOT NULL
);
CREATE INDEX pki_certificates_enrolment ON pki_certificates (tenant_id, enrolment_id);

CREATE TABLE pki_revocations (
    serial      TEXT PRIMARY KEY,
    reason_code INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    revoked_at  {{.Time}} NOT NULL,
    expires_at  {{.Time}} NOT NULL,
    info        TEXT NOT NULL
);

-- The current certificate revocation list, as the CA last generated it.
CREATE TABLE pki_crl (
    id   TEXT PRIMARY KEY,
    info TEXT NOT NULL
);

-- One-time SCEP challenges. Only a hash is kept; each is bound to one enrolment. A used
-- challenge remembers the SCEP transaction that used it, so that the same device may
-- retry the same request (SCEP retries keep their transaction ID) and nobody else may.
CREATE TABLE pki_challenges (
    hash           {{.Bytes}} PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    enrolment_id   TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    expires_at   {{.Time}} NOT NULL,
    used_at      {{.Time}},
    created_at   {{.Time}} NOT NULL
);
CREATE INDEX pki_challenges_expiry ON pki_challenges (expires_at);
