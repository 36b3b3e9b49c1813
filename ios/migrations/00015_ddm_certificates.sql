-- The certificates in the work area's keychain, as the phone last reported them
-- (security.certificate.list; on a User Enrolment the phone reports only the managed
-- ones). Only what IT needs is kept — never the certificate itself: its subject's common
-- name, its issuer, its serial number (of the certificate, not of the phone), when it
-- expires, whether it is an identity (with a private key), and whether the installation's
-- CA issued it and for what (pki_certificates.purpose: device or mail; '' for another
-- issuer's). Deleted with the device's other rows when its retention ends.
CREATE TABLE ios_ddm_certificates (
    enrollment_id TEXT NOT NULL,
    -- the phone's identifier of the certificate
    identifier    TEXT NOT NULL,
    tenant_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    common_name   TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    -- decimal, as the CA keeps it
    serial        TEXT NOT NULL,
    not_after     {{.Time}} NOT NULL,
    is_identity   BOOLEAN NOT NULL,
    issued_here   BOOLEAN NOT NULL,
    purpose       TEXT NOT NULL,
    updated_at    {{.Time}} NOT NULL,
    PRIMARY KEY (enrollment_id, identifier)
);
CREATE INDEX ios_ddm_certificates_device ON ios_ddm_certificates (tenant_id, device_id);
