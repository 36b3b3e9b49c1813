-- The rules a work policy sets for the personal side of a company-owned phone (Android's
-- personalUsagePolicies): how many days the work profile may stay off (0: no limit), and
-- whether the camera and screenshots are switched off on the personal side. They never
-- reach the employee's own phone.
ALTER TABLE work_policies ADD COLUMN max_days_work_off INTEGER NOT NULL DEFAULT 0;
ALTER TABLE work_policies ADD COLUMN personal_camera_disabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE work_policies ADD COLUMN personal_screen_capture_disabled BOOLEAN NOT NULL DEFAULT FALSE;
