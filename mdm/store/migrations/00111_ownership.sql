-- Whose phone an invitation is for, and so the device made with it: the employee's own
-- (personal, bring your own device) or the employer's with private use allowed (company).
-- Every invitation and device made before is the employee's own phone.
ALTER TABLE invitations ADD COLUMN ownership TEXT NOT NULL DEFAULT 'personal' CHECK (ownership IN ('personal', 'company'));
ALTER TABLE devices ADD COLUMN ownership TEXT NOT NULL DEFAULT 'personal' CHECK (ownership IN ('personal', 'company'));
