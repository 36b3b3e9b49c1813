-- The device list sorted by a column of the device (store.DevicePage): each index walks the
-- tenant's devices in the column's order with the device's ID as tie-breaker, so that a
-- page is read from the index instead of sorting every device. A device never heard from
-- sorts by the start of 1970 (mdm.NeverContacted), written as the value SQLite stores.
-- The employee's name and address sort from the indexes of migration 00082.
CREATE INDEX devices_by_platform ON devices (tenant_id, platform, id);
CREATE INDEX devices_by_state ON devices (tenant_id, state, id);
CREATE INDEX devices_by_verdict ON devices (tenant_id, verdict, id);
{{- if .Postgres}}
CREATE INDEX devices_by_contact ON devices (tenant_id, (COALESCE(last_contact_at, TIMESTAMPTZ '1970-01-01 00:00:00+00')), id);
{{- else}}
CREATE INDEX devices_by_contact ON devices (tenant_id, (COALESCE(last_contact_at, '1970-01-01 00:00:00+00:00')), id);
{{- end}}
