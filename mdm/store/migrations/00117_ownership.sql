-- Whose phone an invitation is for and a device is: the employee's own (personal) or the
-- employer's (company).
ALTER TABLE invitations ADD COLUMN ownership TEXT NOT NULL DEFAULT 'personal';
ALTER TABLE devices ADD COLUMN ownership TEXT NOT NULL DEFAULT 'personal';
