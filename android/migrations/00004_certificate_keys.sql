-- The key each work profile's certificate requests are bound to (see
-- android/certificate_keys.go): the SHA-256 of the public key the companion app named in
-- its first challenge request. A request with another key is refused and counted, unless
-- an administrator allowed a renewal.
CREATE TABLE android_certificate_keys (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    device_id       TEXT NOT NULL,
    key_fingerprint TEXT NOT NULL,
    renewal_allowed BOOLEAN NOT NULL DEFAULT FALSE,
    refused         BIGINT NOT NULL DEFAULT 0,
    last_refused_at {{.Time}},
    bound_at        {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, device_id)
);
