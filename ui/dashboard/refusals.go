package dashboard

import (
	"errors"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// message is what a page says: the ID of a text of the catalogue with the values the
// text names.
type message struct {
	ID   string
	Args map[string]string
}

// said is what the dashboard says about a refusal of the domain in the reader's language:
// the domain's message with its values (mdm.Refusal), one the dashboard knows by the
// error, or else the error's own sentence without the name of its kind.
func said(err error) message {
	var refused *mdm.Refusal
	var notSetUp *mdm.NotSetUpError
	switch {
	case errors.As(err, &refused):
		return message{ID: refused.ID, Args: refused.Args}
	case errors.As(err, &notSetUp):
		return message{ID: "refusal.not_set_up." + string(notSetUp.Platform)}
	case errors.Is(err, enrolment.ErrManagedAccountRequired):
		return message{ID: "refusal.managed_account_required"}
	}
	msg := err.Error()
	for _, kind := range []error{mdm.ErrInvalid, mdm.ErrConflict} {
		msg = strings.TrimPrefix(msg, kind.Error()+": ")
	}
	return message{ID: msg}
}
