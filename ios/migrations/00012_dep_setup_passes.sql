-- One-time passes of the sign-in form in a bought device's Setup Assistant (see ios/dep):
-- the form shown for a device whose signed device information named its serial number
-- carries a pass, which the sign-in redeems once, before it expires. Only the pass's
-- hash is kept.
CREATE TABLE ios_dep_setup_passes (
    pass_hash     TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    serial_number TEXT NOT NULL,
    expires_at    {{.Time}} NOT NULL
);
CREATE INDEX ios_dep_setup_passes_expiry ON ios_dep_setup_passes (tenant_id, expires_at);
