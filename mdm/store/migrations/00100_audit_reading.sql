-- The audit trail read newest first with a filter on who acted, what was done or what it
-- concerns: each filter walks its own index backwards from the newest event, so that a
-- page costs the same with 100 or 100,000 events before it.
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor, seq);
CREATE INDEX audit_events_action ON audit_events (tenant_id, action, seq);
CREATE INDEX audit_events_subject ON audit_events (tenant_id, subject, seq);
