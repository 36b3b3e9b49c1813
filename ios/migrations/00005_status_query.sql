-- When each enrolment was last asked for its status (OS version, passcode state) for the
-- compliance rules; NULL: not yet. See ios/statusquery.go.
ALTER TABLE ios_enrollments ADD COLUMN status_queried_at {{.Time}};
CREATE INDEX ios_enrollments_status_due ON ios_enrollments (enabled, status_queried_at);
