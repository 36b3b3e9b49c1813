-- API tokens for automation. Only the SHA-256 of a token is kept. A provider token (the
-- super-admin of the installation) belongs to no tenant; every other token to one.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT REFERENCES tenants (id),
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'helpdesk', 'dpo', 'provider')),
    hash         {{.Bytes}} NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   {{.Time}} NOT NULL,
    expires_at   {{.Time}} NOT NULL,
    last_used_at {{.Time}},
    revoked_at   {{.Time}},
    CHECK ((tenant_id IS NULL AND role = 'provider') OR (tenant_id IS NOT NULL AND role <> 'provider'))
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id, created_at);
