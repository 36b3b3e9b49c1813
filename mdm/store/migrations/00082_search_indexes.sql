-- A narrow search sorts the devices of the employees it matches. With the employee's ID in
-- the search indexes and the devices' sort keys beside their employee, that sort is made
-- from indexes alone and only the page's rows are read whole (see store.DevicePage). The
-- indexes these extend are dropped, and so is the one the overview counted from before
-- migration 00081.
CREATE INDEX devices_employee_newest ON devices (tenant_id, employee_id, created_at, id);
CREATE INDEX employees_email_prefix_id ON employees (tenant_id, email{{if .Postgres}} COLLATE "C"{{end}}, id);
CREATE INDEX employees_name_prefix_id ON employees (tenant_id, (lower(name)){{if .Postgres}} COLLATE "C"{{end}}, id);
DROP INDEX devices_employee;
DROP INDEX employees_email_prefix;
DROP INDEX employees_name_prefix;
DROP INDEX devices_counts;
