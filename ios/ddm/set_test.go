package ddm_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/ios/ddm/ddmschema"
	"github.com/trennwand/trennwand/mdm"
)

// mailPolicy is a policy with a work passcode and two work apps.
func mailPolicy() ddm.Policy {
	return ddm.Policy{PasscodeRequired: true, Apps: []string{"de.musterstadt.mail", "de.musterstadt.intranet"}}
}

func build(t *testing.T, p ddm.Policy) ddm.Set {
	t.Helper()
	s, err := ddm.Build(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tokens maps each declaration of the set to its server token.
func tokens(s ddm.Set) map[string]string {
	out := map[string]string{}
	for _, d := range s.Declarations {
		out[d.Identifier] = d.ServerToken
	}
	return out
}

// The same policy always makes the same set, whatever the order of its apps: a phone
// whose policy did not change has nothing to fetch.
func TestAnUnchangedPolicyKeepsItsTokens(t *testing.T) {
	a := build(t, mailPolicy())
	p := mailPolicy()
	slices.Reverse(p.Apps)
	b := build(t, p)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if a.Token == "" || a.Token != b.Token || string(ja) != string(jb) {
		t.Errorf("the same policy made two sets: %s / %s", a.Token, b.Token)
	}
	if a.Items().DeclarationsToken != a.Token {
		t.Errorf("the items' token %s is not the set's %s", a.Items().DeclarationsToken, a.Token)
	}
}

// A new app adds its declaration and changes the activation that lists it; the other
// declarations stay.
func TestANewAppChangesItsDeclarationAndTheActivation(t *testing.T) {
	p := mailPolicy()
	before := tokens(build(t, p))
	p.Apps = append(p.Apps, "de.musterstadt.zeit")
	after := tokens(build(t, p))
	var changed []string
	for id, tok := range after {
		if before[id] != tok {
			changed = append(changed, id)
		}
	}
	slices.Sort(changed)
	if want := []string{"trennwand.activation", "trennwand.app.de.musterstadt.zeit"}; !slices.Equal(changed, want) {
		t.Errorf("changed declarations %v, want %v", changed, want)
	}
}

// The set is what the policy says: the passcode rule only where the policy requires a
// work passcode, an app declaration per app, and one activation of all configurations.
func TestTheSetFollowsThePolicy(t *testing.T) {
	s := build(t, mailPolicy())
	byType := map[string][]string{}
	for _, d := range s.Declarations {
		byType[d.Type] = append(byType[d.Type], d.Identifier)
	}
	if len(byType[ddm.TypeAppManaged]) != 2 || len(byType[ddm.TypePasscode]) != 1 || len(byType[ddm.TypeActivation]) != 1 ||
		len(byType[ddm.TypeSubscriptions]) != 1 || len(s.Declarations) != 5 {
		t.Fatalf("declarations by type: %v", byType)
	}
	var activation struct{ StandardConfigurations []string }
	act, _ := s.Declaration("activation", "trennwand.activation")
	if err := json.Unmarshal(act.Payload, &activation); err != nil || len(activation.StandardConfigurations) != 4 {
		t.Errorf("activation %s: %v", act.Payload, err)
	}
	without := build(t, ddm.Policy{})
	for _, d := range without.Declarations {
		if d.Type == ddm.TypePasscode || d.Type == ddm.TypeAppManaged {
			t.Errorf("a policy without passcode rule and apps got %s", d.Identifier)
		}
	}
}

// The phone is asked for the status items the privacy notice names, and for nothing
// else: a subscription the notice does not disclose fails here.
func TestTheSubscriptionsAreThoseTheNoticeNames(t *testing.T) {
	notice, err := mdm.PrivacyNotice(mdm.PlatformIOS, mdm.OwnershipPersonal)
	if err != nil {
		t.Fatal(err)
	}
	var named []string
	for _, it := range notice.CanSee {
		named = append(named, it.StatusItems...)
	}
	s := build(t, ddm.Policy{})
	sub, ok := s.Declaration("configuration", "trennwand.status")
	if !ok {
		t.Fatal("no status subscription")
	}
	var payload struct{ StatusItems []struct{ Name string } }
	if err := json.Unmarshal(sub.Payload, &payload); err != nil {
		t.Fatal(err)
	}
	if len(payload.StatusItems) != len(ddm.StatusItems) {
		t.Errorf("subscribed to %d items, want %d", len(payload.StatusItems), len(ddm.StatusItems))
	}
	for _, item := range payload.StatusItems {
		if !slices.Contains(named, item.Name) {
			t.Errorf("the phone is asked for %s, which the privacy notice does not name", item.Name)
		}
	}
}

// Every declaration a policy can make is one Apple's schema allows on a User Enrolment,
// with its required keys and the types they need; the status items subscribed to are
// allowed there too.
func TestEveryDeclarationIsAllowedInUserEnrolment(t *testing.T) {
	for _, p := range []ddm.Policy{{}, mailPolicy()} {
		for _, d := range build(t, p).Declarations {
			if err := ddmschema.Check(d.Type, d.Payload, true); err != nil {
				t.Errorf("%s (%s): %v", d.Identifier, d.Type, err)
			}
		}
	}
	for _, item := range ddm.StatusItems {
		if !ddmschema.StatusItemAllowed(item, true) {
			t.Errorf("status item %s is not allowed in User Enrolment", item)
		}
	}
}
