-- The Apps and Books jobs look up Apple users by the event that registers them
-- (licences.usersRegistered) and licences by their state (a pass over the pending ones,
-- the waiting ones failed with a token problem). Without these indexes each of those
-- statements read every Apple user or every licence of the tenant: with one event per
-- enrolment, an enrolment's cost grew with the fleet (40 ms of server CPU per iPhone at
-- 10,000 phones, 52 ms at 44,000).
CREATE INDEX ios_vpp_users_event ON ios_vpp_users (tenant_id, event_id);
CREATE INDEX ios_vpp_licences_state ON ios_vpp_licences (tenant_id, state, adam_id, employee_id);
-- The licences of an event are read in the order of their keys; an index of the event
-- alone lost to ios_vpp_licences_state, which gives that order, and read every licence
-- of the tenant in the state instead of the event's few.
DROP INDEX ios_vpp_licences_event;
CREATE INDEX ios_vpp_licences_event ON ios_vpp_licences (tenant_id, event_id, adam_id, employee_id);
