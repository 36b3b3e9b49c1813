-- The employee portal. A tenant names who runs the service and whom to ask about data
-- protection; the portal shows both before anything is installed.
ALTER TABLE tenants ADD COLUMN operator_name TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN privacy_contact TEXT NOT NULL DEFAULT '';

-- An invitation remembers which version of the privacy notice the employee acknowledged
-- (for an iPhone the code stays pending until the phone signs in with it), and when its
-- e-mail went out, so that a retried mail job does not send it twice.
ALTER TABLE invitations ADD COLUMN acknowledged_at {{.Time}};
ALTER TABLE invitations ADD COLUMN notice_version TEXT NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN mailed_at {{.Time}};

-- Failed invitation-code guesses per client address (a SHA-256 of the address or its
-- IPv6 /64) and fixed time window. Shared by every replica through the database.
CREATE TABLE code_guesses (
    client_hash  {{.Bytes}} NOT NULL,
    window_start {{.Time}} NOT NULL,
    failures     BIGINT NOT NULL,
    PRIMARY KEY (client_hash, window_start)
);
CREATE INDEX code_guesses_window ON code_guesses (window_start);
