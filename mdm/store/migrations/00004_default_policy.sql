-- The tenant's default work policy: what a newly enrolled device gets unless IT assigns
-- another. At most one per tenant.
ALTER TABLE work_policies ADD COLUMN is_default BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX work_policies_default ON work_policies (tenant_id) WHERE is_default;
