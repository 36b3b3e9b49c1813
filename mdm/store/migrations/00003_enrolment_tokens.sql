-- Enrolment tokens: the secret with which a phone authenticates to the platform endpoints
-- once its employee has redeemed an invitation code (Apple's account-driven enrolment sends
-- it as a bearer token with every request). Only the SHA-256 of a token is kept. A token
-- lives as long as its device row.
CREATE TABLE enrolment_tokens (
    hash       {{.Bytes}} PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX enrolment_tokens_device ON enrolment_tokens (tenant_id, device_id);
