-- Which tenant an Android enterprise belongs to (see android/binding.go): claimed in the
-- database before any call to Google changes the enterprise, so that one tenant cannot
-- bind, or race another to bind, an enterprise that another tenant holds. One row per
-- enterprise; a tenant keeps the claim of the enterprise it is bound to.
CREATE TABLE android_enterprise_claims (
    enterprise_name TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    claimed_at      {{.Time}} NOT NULL
);

INSERT INTO android_enterprise_claims (enterprise_name, tenant_id, claimed_at)
    SELECT enterprise_name, tenant_id, created_at FROM android_enterprises;
