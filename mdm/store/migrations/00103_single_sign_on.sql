-- Administrators by single sign-on (OpenID Connect), per tenant (mdm/access, sso*.go).
--
-- A tenant's identity provider: the issuer whose discovery document and keys are trusted,
-- the client registered there (its secret sealed with the master key, purpose
-- "sso-client-secret:<tenant>"), the scopes asked for and the groups that give each role
-- (one entry a line), how the second factor is proved (the ID token's amr holds one of
-- mfa_values, its acr is one of them, or the local second factor after the provider) and
-- whether only break-glass administrators may still sign in with a password.
CREATE TABLE sso_providers (
    tenant_id       TEXT PRIMARY KEY REFERENCES tenants (id),
    display_name    TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    client_secret   {{.Bytes}} NOT NULL,
    scopes          TEXT NOT NULL,
    groups_claim    TEXT NOT NULL,
    admin_groups    TEXT NOT NULL,
    helpdesk_groups TEXT NOT NULL,
    dpo_groups      TEXT NOT NULL,
    mfa             TEXT NOT NULL CHECK (mfa IN ('amr', 'acr', 'local')),
    mfa_values      TEXT NOT NULL,
    required        BOOLEAN NOT NULL,
    updated_at      {{.Time}} NOT NULL
);

-- A sign-in sent to the provider and not yet back: the state (kept as its hash; the
-- browser holds it in a cookie too), the nonce the ID token must carry and the PKCE
-- verifier (sealed), bound to the tenant whose start route made it. Taken once. A
-- signed-in administrator who links their account to the provider names it in
-- link_admin_id ('' for a sign-in).
CREATE TABLE sso_sign_ins (
    state_hash    {{.Bytes}} PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    nonce         TEXT NOT NULL,
    verifier      {{.Bytes}} NOT NULL,
    link_admin_id TEXT NOT NULL,
    expires_at    {{.Time}} NOT NULL
);
CREATE INDEX sso_sign_ins_expiry ON sso_sign_ins (expires_at);

-- Which person at which provider an administrator is: the issuer with the subject, never
-- the e-mail address. One identity per administrator, one administrator per identity.
CREATE TABLE admin_sso_identities (
    tenant_id TEXT NOT NULL,
    admin_id  TEXT NOT NULL,
    issuer    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    linked_at {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, issuer, subject),
    UNIQUE (tenant_id, admin_id),
    FOREIGN KEY (tenant_id, admin_id) REFERENCES admins (tenant_id, id) ON DELETE CASCADE
);

-- Administrators who may sign in with password and second factor while the tenant
-- requires single sign-on: the way in when the provider is down.
CREATE TABLE admin_break_glass (
    tenant_id TEXT NOT NULL,
    admin_id  TEXT NOT NULL,
    marked_at {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, admin_id),
    FOREIGN KEY (tenant_id, admin_id) REFERENCES admins (tenant_id, id) ON DELETE CASCADE
);
