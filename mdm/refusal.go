package mdm

// Refusal is a refusal of the domain that a person reads: its English error, which logs
// and the JSON API keep, with the ID of the message that says it in the catalogues of the
// pages and the values the message names, so that every page says it in its reader's
// language. The edges find it with errors.As.
type Refusal struct {
	ID   string            // the message ID, "refusal.…"
	Args map[string]string // the values the message names, by the names it uses
	Err  error             // the English error, wrapping ErrInvalid or ErrConflict
}

func (r *Refusal) Error() string { return r.Err.Error() }

func (r *Refusal) Unwrap() error { return r.Err }

// Refuse gives err the message ID and its values, as pairs of name and value.
func Refuse(id string, err error, nameValues ...string) error {
	args := make(map[string]string, len(nameValues)/2)
	for i := 0; i+1 < len(nameValues); i += 2 {
		args[nameValues[i]] = nameValues[i+1]
	}
	return &Refusal{ID: id, Args: args, Err: err}
}
