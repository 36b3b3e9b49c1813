package audit

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Statement is an event as a person reads it: who did it, in which role, to whom or to
// what, and why. The parties carry the names their owners give them at the time of
// reading, never names copied into the event, so that a renamed policy or a corrected
// name reads as it is now; a party that no longer exists says so.
type Statement struct {
	Event
	Actor   Party
	Subject Party
	// Reason is why it was done, when the event says so; empty otherwise.
	Reason string
}

// Party is someone or something an event names: its actor or its subject.
type Party struct {
	// Kind is the subject kind from the catalogue, or for an actor one of the actor
	// kinds (ActorAdmin, ActorSystem, …).
	Kind Kind
	ID   string
	// Name is what the party is called now: an administrator's address, an employee's
	// name, a policy's name. Empty when it has none or is gone.
	Name string
	// Role is an administrator's or API token's role; empty for others.
	Role string
	// Owner is the name of the employee a device or invitation belongs to.
	Owner string
	// Platform is a device's platform ("android", "ios").
	Platform string
	// Removed says that the party existed once and is gone now.
	Removed bool
}

// The kinds of actor beside the subject kinds (admin, token, device, employee): the
// server itself, a command-line call, a client that did not get in, and a platform's
// own process.
const (
	ActorSystem   Kind = "system"
	ActorCLI      Kind = "cli"
	ActorClient   Kind = "client"
	ActorPlatform Kind = "platform"
)

// PartyOf splits a reference as events write it ("device:<id>", "admin:<id>", "system",
// "cli:root", "android") into a party without names; the trail fills those in.
func PartyOf(ref string) Party {
	if ref == "" {
		return Party{}
	}
	kind, id, ok := strings.Cut(ref, ":")
	switch {
	case !ok && Kind(ref) == ActorSystem:
		return Party{Kind: ActorSystem}
	case !ok:
		// A platform acting on its own ("android") names itself.
		return Party{Kind: ActorPlatform, ID: ref}
	case kinds[Kind(kind)] || Kind(kind) == ActorCLI || Kind(kind) == ActorClient:
		return Party{Kind: Kind(kind), ID: id}
	}
	return Party{Kind: ActorPlatform, ID: ref}
}

// Field returns the string value of a field of the event's details; empty when the field
// is missing or not a string.
func (e Event) Field(name string) string {
	var m map[string]any
	if json.Unmarshal([]byte(e.Details), &m) != nil {
		return ""
	}
	switch v := m[name].(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(v)
	case bool:
		return fmt.Sprint(v)
	}
	return ""
}

// FieldTime returns a time field of the event's details; zero when there is none.
func (e Event) FieldTime(name string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, e.Field(name))
	if err != nil {
		return time.Time{}
	}
	return t
}
