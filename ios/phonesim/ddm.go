package phonesim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	apple "github.com/micromdm/nanomdm/mdm"
)

// Declarative Device Management, as an iPhone from iOS 17 on does it: the server's
// DeclarativeManagement command starts a sync — the phone asks for the server's tokens,
// and when the declarations token differs from the one it holds, for the declaration
// items, fetches each declaration whose ServerToken changed (and only those), checks it as
// iOS would (ddmschema), applies what it can and reports its status.

// maxDeclarations bounds the declaration items a phone takes from one answer.
const maxDeclarations = 1000

// declarationKinds are the parts of a declaration-items answer in the order the phone
// fetches them, with the kind each names in its declaration/<kind>/<identifier> path.
var declarationKinds = []string{"activation", "configuration", "asset", "management"}

// ref names one declaration: its kind and its identifier.
type ref struct{ kind, identifier string }

// item is one entry of a declaration-items answer.
type item struct {
	ref
	serverToken string
}

// DDMCounters are what a phone did in Declarative Device Management, for tests and the
// figures of a simulation.
type DDMCounters struct {
	// Syncs is how many synchronisations the phone has done, one per DeclarativeManagement
	// command.
	Syncs int
	// Fetched is how many declarations the phone fetched over all syncs, LastFetched how
	// many in the latest one.
	Fetched, LastFetched int
	// StatusReports is how many status reports the phone sent.
	StatusReports int
	// AppsInstalled is how many work apps declarations installed; AppsTransferred how many
	// of the apps that MDM had installed they took over without installing them again.
	AppsInstalled, AppsTransferred int
}

// DDM returns the phone's Declarative Device Management counters.
func (p *Phone) DDM() DDMCounters {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ddm.counters
}

// SetPasscodeCompliant switches whether the phone's passcode meets the passcode policies
// on it (a new phone's does), as the employee changing it would. A phone that speaks
// Declarative Device Management reports the change at once when the server subscribed to
// it; otherwise the next SecurityInfo answer carries it.
func (p *Phone) SetPasscodeCompliant(ctx context.Context, compliant bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.passcodeNotCompliant = !compliant
	if !p.ddm.synced {
		return nil
	}
	_, err := p.sendStatus(ctx)
	return err
}

// SetOSVersion updates the phone to another iOS version, as the employee installing an
// update would: its next answers tell it, and from 17 on it speaks Declarative Device
// Management when the server sends the DeclarativeManagement command.
func (p *Phone) SetOSVersion(version string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg.OSVersion = version
}

// speaksDDM says whether the phone's iOS has Declarative Device Management for a User
// Enrolment.
func (p *Phone) speaksDDM() bool {
	return p.cfg.OSVersion != "" && versionAtLeast(p.cfg.OSVersion, "17.0")
}

// declarativeMessage is the DeclarativeManagement check-in: an endpoint and, for a status
// report, its JSON.
type declarativeMessage struct {
	apple.Enrollment
	apple.MessageType
	Endpoint string
	Data     []byte `plist:",omitempty"`
}

// ddmCheckIn sends one DeclarativeManagement check-in and returns the server's answer.
func (p *Phone) ddmCheckIn(ctx context.Context, endpoint string, data []byte) ([]byte, error) {
	out, err := p.checkIn(ctx, &declarativeMessage{Enrollment: p.enrollment(),
		MessageType: apple.MessageType{MessageType: "DeclarativeManagement"}, Endpoint: endpoint, Data: data})
	if err != nil {
		return nil, fmt.Errorf("DDM %s: %w", endpoint, err)
	}
	return out, nil
}

// syncDeclarations does the sync a DeclarativeManagement command asked for and returns
// how many messages it sent. Without one, a phone that speaks DDM only reports status that
// changed since its last report. A sync that fails is done again at the next wake-up.
func (p *Phone) syncDeclarations(ctx context.Context) (int, error) {
	d := &p.ddm
	if !d.syncAsked {
		if !d.synced {
			return 0, nil
		}
		return p.sendStatus(ctx)
	}
	sent := 0
	raw := d.syncData
	if len(raw) == 0 {
		b, err := p.ddmCheckIn(ctx, "tokens", nil)
		sent++
		if err != nil {
			return sent, err
		}
		raw = b
	}
	token, err := decodeTokens(raw)
	if err != nil {
		return sent, err
	}
	d.counters.LastFetched = 0
	if token != d.token {
		n, err := p.fetchDeclarations(ctx)
		sent += n
		if err != nil {
			return sent, err
		}
		d.token = token
	}
	d.syncAsked, d.syncData, d.synced = false, nil, true
	d.counters.Syncs++
	p.evaluate()
	n, err := p.fetchIdentities(ctx)
	sent += n
	if err != nil {
		return sent, err
	}
	n, err = p.sendStatus(ctx)
	return sent + n, err
}

// fetchDeclarations asks for the declaration items and fetches the declarations that are
// new or whose ServerToken changed; those no longer listed are dropped.
func (p *Phone) fetchDeclarations(ctx context.Context) (int, error) {
	d := &p.ddm
	raw, err := p.ddmCheckIn(ctx, "declaration-items", nil)
	sent := 1
	if err != nil {
		return sent, err
	}
	items, err := decodeItems(raw)
	if err != nil {
		return sent, err
	}
	next := make(map[ref]*held, len(items))
	for _, it := range items {
		if h, ok := d.held[it.ref]; ok && h.serverToken == it.serverToken {
			next[it.ref] = h
			continue
		}
		doc, err := p.ddmCheckIn(ctx, "declaration/"+it.kind+"/"+it.identifier, nil)
		sent++
		if err != nil {
			return sent, err
		}
		d.counters.Fetched++
		d.counters.LastFetched++
		next[it.ref] = p.take(it, doc)
	}
	d.held = next
	return sent, nil
}

// decodeTokens reads the server's tokens answer (or the Data of its DeclarativeManagement
// command) and returns the declarations token.
func decodeTokens(raw []byte) (string, error) {
	var doc struct {
		SyncTokens *struct {
			DeclarationsToken string
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", fmt.Errorf("DDM tokens: %w", err)
	}
	if doc.SyncTokens == nil || doc.SyncTokens.DeclarationsToken == "" {
		return "", fmt.Errorf("DDM tokens: no SyncTokens.DeclarationsToken in %.200q", raw)
	}
	return doc.SyncTokens.DeclarationsToken, nil
}

// decodeItems reads the server's declaration-items answer. Every item needs an identifier
// that can stand in a path and a server token; identifiers are unique across the kinds.
func decodeItems(raw []byte) ([]item, error) {
	type entry struct{ Identifier, ServerToken string }
	var doc struct {
		Declarations *struct {
			Activations, Configurations, Assets, Management []entry
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("DDM declaration-items: %w", err)
	}
	if doc.Declarations == nil {
		return nil, errors.New("DDM declaration-items: no Declarations")
	}
	lists := [][]entry{doc.Declarations.Activations, doc.Declarations.Configurations, doc.Declarations.Assets, doc.Declarations.Management}
	seen := make(map[string]bool)
	var out []item
	for i, list := range lists {
		for _, e := range list {
			switch {
			case e.Identifier == "" || e.ServerToken == "":
				return nil, fmt.Errorf("DDM declaration-items: a %s without Identifier or ServerToken", declarationKinds[i])
			case strings.ContainsAny(e.Identifier, "/?#") || strings.IndexFunc(e.Identifier, isControl) >= 0:
				return nil, fmt.Errorf("DDM declaration-items: identifier %q cannot stand in a path", e.Identifier)
			case seen[e.Identifier]:
				return nil, fmt.Errorf("DDM declaration-items: identifier %q appears twice", e.Identifier)
			case len(out) == maxDeclarations:
				return nil, fmt.Errorf("DDM declaration-items: more than %d declarations", maxDeclarations)
			}
			seen[e.Identifier] = true
			out = append(out, item{ref: ref{kind: declarationKinds[i], identifier: e.Identifier}, serverToken: e.ServerToken})
		}
	}
	return out, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// versionAtLeast compares dotted versions ("17.2" ≥ "17.0.1"); parts that are not
// numbers count as 0.
func versionAtLeast(have, want string) bool {
	h, w := strings.Split(have, "."), strings.Split(want, ".")
	for i := range max(len(h), len(w)) {
		a, b := versionPart(h, i), versionPart(w, i)
		if a != b {
			return a > b
		}
	}
	return true
}

func versionPart(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	n, _ := strconv.Atoi(parts[i])
	return n
}
