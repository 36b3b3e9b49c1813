-- When a printable letter of the invitation was made (in the dashboard or with
-- `invite create|import|resend --letters`); NULL while it has none. An invitation pending
-- with neither a letter nor its e-mail has reached nobody yet: "letters for all unsent"
-- gives those new codes and prints them.
ALTER TABLE invitations ADD COLUMN letter_at {{.Time}};
