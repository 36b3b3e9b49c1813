-- The audit trail's feed to the installation's SIEM (syslog, webhook).
--
-- A tenant's feed is on from the event that switched it on (from_seq) to the event that
-- switched it off (to_seq, NULL while it is on); events outside these periods are never
-- sent. Rows are added when the feed is switched on and closed when it is switched off.
CREATE TABLE siem_periods (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    from_seq  BIGINT NOT NULL CHECK (from_seq > 0),
    to_seq    BIGINT CHECK (to_seq >= from_seq),
    from_at   {{.Time}} NOT NULL,
    to_at     {{.Time}},
    PRIMARY KEY (tenant_id, from_seq)
);

-- How far each sink has taken each tenant's trail: every event up to seq was accepted by
-- the receiver. failures counts the attempts that failed since the last success, for the
-- back-off and for `trennwand siem show`. runner is the delivery job that sends the
-- tenant's events to the sink until running_until (extended as it goes); with none, or
-- once that has passed, the next event or the catch-up claims the row for a new job.
CREATE TABLE siem_cursors (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    sink          TEXT NOT NULL CHECK (sink IN ('syslog', 'webhook')),
    seq           BIGINT NOT NULL CHECK (seq >= 0),
    failures      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    failing_since {{.Time}},
    sent_at       {{.Time}},
    runner        TEXT NOT NULL DEFAULT '',
    running_until {{.Time}},
    updated_at    {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, sink)
);
