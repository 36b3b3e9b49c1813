-- The legal basis of the processing, as the record of processing and the impact
-- assessment state it: a provision of Art. 6(1) GDPR, the national provision on
-- employees' data that goes with it, and the Land's provision when it is the Land's law.
-- Empty until the tenant chooses.
ALTER TABLE data_protection_settings ADD COLUMN legal_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE data_protection_settings ADD COLUMN employment_law TEXT NOT NULL DEFAULT '';
ALTER TABLE data_protection_settings ADD COLUMN land_law TEXT NOT NULL DEFAULT '';
