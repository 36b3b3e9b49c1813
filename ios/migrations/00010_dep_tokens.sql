-- Automated Device Enrollment (Apple Business Manager), per tenant (see ios/dep): the key
-- pair whose certificate IT uploads to Apple Business Manager, the server token (OAuth
-- tokens) decrypted from the .p7m IT downloads there, both sealed with the master key,
-- the account it belongs to, the cursor of the device sync and the enrolment profile
-- defined with Apple.
CREATE TABLE ios_dep_tokens (
    tenant_id     TEXT PRIMARY KEY,
    cert_pem      TEXT NOT NULL,
    sealed_key    {{.Bytes}} NOT NULL,
    sealed_tokens {{.Bytes}},
    expires_at    {{.Time}},
    server_name   TEXT NOT NULL DEFAULT '',
    org_name      TEXT NOT NULL DEFAULT '',
    sync_cursor   TEXT NOT NULL DEFAULT '',
    profile_uuid  TEXT NOT NULL DEFAULT '',
    problem       TEXT NOT NULL DEFAULT '',
    synced_at     {{.Time}},
    updated_at    {{.Time}} NOT NULL
);
