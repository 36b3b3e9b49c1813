-- Employees confirm who they are (mdm/enrolment, confirm.go), and the directory's own CA.
--
-- A tenant may ask its employees to sign in at its provider (the one its administrators
-- use) before a phone gets its enrolment: a lost invitation letter then enrols nobody else.
ALTER TABLE sso_providers ADD COLUMN employees_confirm BOOLEAN NOT NULL DEFAULT FALSE;

-- An employee's sign-in sent to the provider and not yet back: the state (kept as its
-- hash; the browser holds it in a cookie too), the nonce the ID token must carry and the
-- PKCE verifier (sealed), bound to one invitation of one tenant and to the page it came
-- from ('portal' or 'apple'). The invitation code is sealed, for the way back to the
-- portal's page; what the employee chose there (platform, notice version) or the managed
-- Apple account the phone signs in with waits here for the provider's answer. Taken once.
CREATE TABLE employee_sign_ins (
    state_hash     {{.Bytes}} PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    invitation_id  TEXT NOT NULL,
    via            TEXT NOT NULL CHECK (via IN ('portal', 'apple')),
    code           {{.Bytes}} NOT NULL,
    nonce          TEXT NOT NULL,
    verifier       {{.Bytes}} NOT NULL,
    platform       TEXT NOT NULL,
    notice_version TEXT NOT NULL,
    account        TEXT NOT NULL,
    expires_at     {{.Time}} NOT NULL,
    FOREIGN KEY (tenant_id, invitation_id) REFERENCES invitations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX employee_sign_ins_expiry ON employee_sign_ins (expires_at);

-- The CA certificates (PEM) that the tenant's LDAP server's certificate is checked
-- against for ldaps:// and StartTLS; '' trusts the system's roots.
ALTER TABLE directory_configs ADD COLUMN ca_pem TEXT NOT NULL DEFAULT '';
