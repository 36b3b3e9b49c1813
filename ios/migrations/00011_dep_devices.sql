-- The devices a tenant bought and assigned to this MDM server in Apple Business Manager, as
-- the device sync last saw them (see ios/dep). Company-owned, so their serial number is
-- kept; rows leave when Apple reports a device deleted or the tenant's token is removed.
CREATE TABLE ios_dep_devices (
    tenant_id      TEXT NOT NULL,
    serial_number  TEXT NOT NULL,
    model          TEXT NOT NULL,
    description    TEXT NOT NULL,
    device_family  TEXT NOT NULL,
    profile_uuid   TEXT NOT NULL,
    profile_status TEXT NOT NULL,
    updated_at     {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, serial_number)
);
