-- Passkeys (WebAuthn) as a second factor of administrators, beside TOTP.
--
-- Each passkey belongs to one administrator of one tenant; the credential ID is unique
-- within the tenant. The credential is go-webauthn's record (public key, flags, sign
-- counter, authenticator's AAGUID) as JSON: nothing in it is secret.
CREATE TABLE admin_passkeys (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    admin_id      TEXT NOT NULL,
    credential_id {{.Bytes}} NOT NULL,
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    credential    TEXT NOT NULL,
    created_at    {{.Time}} NOT NULL,
    last_used_at  {{.Time}},
    FOREIGN KEY (tenant_id, admin_id) REFERENCES admins (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX admin_passkeys_credential ON admin_passkeys (tenant_id, credential_id);
CREATE INDEX admin_passkeys_admin ON admin_passkeys (tenant_id, admin_id);

-- The challenge of a WebAuthn ceremony under way: one per session and ceremony, bound to
-- the session by its token's hash, short-lived and taken (deleted) when it is answered,
-- so that it works once.
CREATE TABLE webauthn_challenges (
    session_hash {{.Bytes}} NOT NULL,
    ceremony     TEXT NOT NULL CHECK (ceremony IN ('register', 'verify')),
    tenant_id    TEXT NOT NULL,
    admin_id     TEXT NOT NULL,
    data         TEXT NOT NULL,
    created_at   {{.Time}} NOT NULL,
    expires_at   {{.Time}} NOT NULL,
    PRIMARY KEY (session_hash, ceremony),
    FOREIGN KEY (tenant_id, admin_id) REFERENCES admins (tenant_id, id) ON DELETE CASCADE
);

-- When the session last proved the second factor (at sign-in, or again on the account
-- page): adding a passkey needs a recent proof.
ALTER TABLE admin_sessions ADD COLUMN factor_at {{.Time}};
