-- Apple Apps and Books: each tenant's content token (sealed with the master key), the
-- apps it holds licences for, the users Apple knows (one per employee, named by the
-- employee's ID and tied to the managed Apple account), and the licence of each app each
-- employee holds or is to hold. Nothing about the phone is kept: licences go to the
-- employee's managed Apple account, as User Enrolment requires.
CREATE TABLE ios_vpp_tokens (
    tenant_id    TEXT PRIMARY KEY REFERENCES tenants (id),
    sealed_token {{.Bytes}} NOT NULL,
    organisation TEXT NOT NULL,
    expires_at   {{.Time}} NOT NULL,
    -- why Apple last refused the token; '' while it works
    problem      TEXT NOT NULL,
    synced_at    {{.Time}},
    updated_at   {{.Time}} NOT NULL
);

CREATE TABLE ios_vpp_assets (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    adam_id         TEXT NOT NULL,
    bundle_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    pricing_param   TEXT NOT NULL,
    total_count     INTEGER NOT NULL,
    assigned_count  INTEGER NOT NULL,
    available_count INTEGER NOT NULL,
    synced_at       {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, adam_id)
);
CREATE INDEX ios_vpp_assets_bundle ON ios_vpp_assets (tenant_id, bundle_id);

CREATE TABLE ios_vpp_users (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    employee_id      TEXT NOT NULL,
    managed_apple_id TEXT NOT NULL,
    -- creating: the users/create event is under way; created: Apple knows the user
    state            TEXT NOT NULL CHECK (state IN ('creating', 'created')),
    event_id         TEXT NOT NULL,
    updated_at       {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, employee_id)
);

CREATE TABLE ios_vpp_licences (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    employee_id TEXT NOT NULL,
    adam_id     TEXT NOT NULL,
    -- pending: to be associated; associating: the event is under way; associated: the
    -- employee holds it; failed: Apple refused (error says why); releasing: to be or being
    -- disassociated
    state       TEXT NOT NULL CHECK (state IN ('pending', 'associating', 'associated', 'failed', 'releasing')),
    error       TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    updated_at  {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, employee_id, adam_id)
);
CREATE INDEX ios_vpp_licences_event ON ios_vpp_licences (tenant_id, event_id);
CREATE INDEX ios_vpp_licences_asset ON ios_vpp_licences (tenant_id, adam_id, state);
