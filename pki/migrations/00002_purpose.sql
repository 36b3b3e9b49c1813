-- What each certificate is for, and what the certificate a challenge gets will be for: a
-- device's own (device: an iPhone's MDM identity, an Android work profile's certificate)
-- or a work mail account's (mail), which names the same enrolment but is never taken as
-- the device's identity. The certificates issued before were issued as devices' own.
ALTER TABLE pki_certificates ADD COLUMN purpose TEXT NOT NULL DEFAULT 'device';
ALTER TABLE pki_challenges ADD COLUMN purpose TEXT NOT NULL DEFAULT 'device';
