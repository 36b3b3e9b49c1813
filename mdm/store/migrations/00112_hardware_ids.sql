-- The hardware identifiers of a company-owned phone (serial number, IMEI, UDID). The core
-- writes them only for devices whose ownership is company; for the employee's own phone
-- they stay empty.
ALTER TABLE devices ADD COLUMN serial_number TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN imei TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN udid TEXT NOT NULL DEFAULT '';
