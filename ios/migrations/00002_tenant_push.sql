-- Which MDM push certificate (by topic) a tenant's enrolment profiles name. A tenant
-- uploads its own certificate from Apple; a regional provider may give several tenants
-- the same one.
CREATE TABLE ios_tenant_push (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants (id),
    topic       TEXT NOT NULL REFERENCES ios_push_certs (topic),
    not_after   {{.Time}} NOT NULL,
    updated_at  {{.Time}} NOT NULL
);
