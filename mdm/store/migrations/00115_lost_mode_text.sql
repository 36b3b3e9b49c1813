-- What the tenant's company-owned phones show on their lock screen in lost mode: a
-- message to whoever finds the phone, a phone number to call and a footnote. Empty where
-- the tenant set none; without a message or a number the phone shows one that names the
-- employer.
ALTER TABLE tenants ADD COLUMN lost_message TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN lost_phone_number TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN lost_footnote TEXT NOT NULL DEFAULT '';
