-- What a company-owned iPhone or iPad tells of its hardware when it is asked (see
-- ios/hardware.go), beyond the identifiers the core keeps (devices.serial_number, udid):
-- its model and storage capacity in GB, and whether it was enrolled through Automated
-- Device Enrollment (supervised; it then talks to the MDM endpoints with its certificate
-- alone). A phone of the employee's own is never asked, and no row of it is ever written.
-- Deleted with the device's other rows when its retention ends.
CREATE TABLE ios_hardware (
    device_id   TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    model       TEXT NOT NULL,
    model_name  TEXT NOT NULL,
    capacity_gb {{if .Postgres}}DOUBLE PRECISION{{else}}REAL{{end}} NOT NULL,
    automated   BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at  {{.Time}} NOT NULL
);
CREATE INDEX ios_hardware_tenant ON ios_hardware (tenant_id);
