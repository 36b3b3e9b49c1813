-- The ownership each phone last claimed against its invitation's (see android/ownership.go):
-- the refusal of a claim is recorded in the audit trail once, not again at every sync that
-- sees the phone make the same claim; a report of the invitation's ownership ends it, so
-- that a later claim is recorded anew.
CREATE TABLE android_ownership_refusals (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    device_id  TEXT NOT NULL,
    claimed    TEXT NOT NULL,
    refused_at {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, device_id)
);
