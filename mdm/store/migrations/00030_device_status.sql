-- What a platform reports about a device's work container besides its OS version: the
-- security patch level and, for a non-compliant device, the reasons (one per line).
ALTER TABLE devices ADD COLUMN security_patch_level TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN non_compliance TEXT NOT NULL DEFAULT '';
