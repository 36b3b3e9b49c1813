-- API tokens may carry the scim role: an identity provider (Entra ID, Keycloak) that
-- provisions the tenant's employees at /scim/v2/, and may do nothing else.
{{if .Postgres}}
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'helpdesk', 'dpo', 'provider', 'gateway', 'scim'));
{{else}}
CREATE TABLE api_tokens_with_scim (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT REFERENCES tenants (id),
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'helpdesk', 'dpo', 'provider', 'gateway', 'scim')),
    hash         {{.Bytes}} NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   {{.Time}} NOT NULL,
    expires_at   {{.Time}} NOT NULL,
    last_used_at {{.Time}},
    revoked_at   {{.Time}},
    CHECK ((tenant_id IS NULL AND role = 'provider') OR (tenant_id IS NOT NULL AND role <> 'provider'))
);
INSERT INTO api_tokens_with_scim (id, tenant_id, name, role, hash, created_by, created_at, expires_at, last_used_at, revoked_at)
    SELECT id, tenant_id, name, role, hash, created_by, created_at, expires_at, last_used_at, revoked_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_with_scim RENAME TO api_tokens;
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id, created_at);
{{end}}
