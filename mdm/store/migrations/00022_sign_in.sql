-- Dashboard sign-in: the state of each administrator's second factor and lockout,
-- recovery codes (hashed), sessions (the cookie's hash) and a throttle on sign-in attempts
-- per client address, all in the database so that every replica sees the same.
ALTER TABLE admins ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE admins ADD COLUMN locked_until {{.Time}};
ALTER TABLE admins ADD COLUMN totp_confirmed_at {{.Time}};
ALTER TABLE admins ADD COLUMN last_totp_step BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX admins_tenant_id ON admins (tenant_id, id);

CREATE TABLE admin_recovery_codes (
    hash      {{.Bytes}} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    admin_id  TEXT NOT NULL,
    used_at   {{.Time}},
    FOREIGN KEY (tenant_id, admin_id) REFERENCES admins (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX admin_recovery_codes_admin ON admin_recovery_codes (tenant_id, admin_id);

CREATE TABLE admin_sessions (
    hash         {{.Bytes}} PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    admin_id     TEXT NOT NULL,
    stage        TEXT NOT NULL CHECK (stage IN ('totp_setup', 'second_factor', 'password_change', 'active')),
    csrf         TEXT NOT NULL,
    created_at   {{.Time}} NOT NULL,
    last_seen_at {{.Time}} NOT NULL,
    expires_at   {{.Time}} NOT NULL,
    FOREIGN KEY (tenant_id, admin_id) REFERENCES admins (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX admin_sessions_admin ON admin_sessions (tenant_id, admin_id);

CREATE TABLE sign_in_throttle (
    key        TEXT PRIMARY KEY,
    attempts   INTEGER NOT NULL,
    expires_at {{.Time}} NOT NULL
);
