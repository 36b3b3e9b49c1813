-- The version of each work app a work profile last reported (Device.applicationReports;
-- see android/workapps_record.go): only the apps of the device's work policy, never any
-- other app the work profile holds, and nothing of the phone's personal side.
CREATE TABLE android_work_apps (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    device_id    TEXT NOT NULL,
    package_name TEXT NOT NULL,
    version_name TEXT NOT NULL,
    version_code BIGINT NOT NULL,
    reported_at  {{.Time}} NOT NULL,
    PRIMARY KEY (tenant_id, device_id, package_name)
);
