package ios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/nanomdm/service"

	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// syncCommandPrefix starts the CommandUUID of a DeclarativeManagement command.
const syncCommandPrefix = "ddm-"

// declarative is nanomdm's DeclarativeManagement service: the channel, for the device the
// request authenticated as (the binding has held the message to its enrolment).
type declarative struct{ ch *ddm.Channel }

// DeclarativeManagement answers a check-in of the declarative channel.
func (dm declarative) DeclarativeManagement(r *apple.Request, m *apple.DeclarativeManagement) ([]byte, error) {
	d, err := callerOf(r)
	if err != nil {
		return nil, err
	}
	out, err := dm.ch.Serve(r.Context(), d, m.Endpoint, m.Data)
	if err != nil {
		return nil, declarativeError(err)
	}
	return out, nil
}

// declarativeError gives an error of the channel the HTTP status the phone gets: a
// request it cannot make sense of is 400, a declaration it has no right to is 404.
func declarativeError(err error) error {
	switch {
	case errors.Is(err, ddm.ErrEndpoint), errors.Is(err, ddm.ErrStatus), errors.Is(err, ddm.ErrNotEnabled):
		return service.NewHTTPStatusError(http.StatusBadRequest, err)
	case errors.Is(err, ddm.ErrNoDeclaration):
		return service.NewHTTPStatusError(http.StatusNotFound, err)
	}
	return err
}

// enableDeclarative is the one place that switches a phone to declarative management
// when its OS has it (iOS and iPadOS 17.2 or later): an enrolling phone as its
// Authenticate told, before its enrolment completes and its policy is applied; an enrolled
// phone once a later message (a status query's answer, a new Authenticate) tells it was
// updated, and then its policy is applied to it again by a job (ddm.Enable), which queues
// its DeclarativeManagement command. Work apps that commands installed stay: the
// app.managed declarations take them over on the phone without reinstalling them, and the
// command planner leaves them to the declarations from then on (commandedRows). Switching
// it again changes nothing; older phones stay on MDM commands.
func (p *Platform) enableDeclarative(ctx context.Context, d mdm.Device) error {
	fresh, err := p.svc.Device(ctx, d.TenantID, d.ID)
	if err != nil {
		return fmt.Errorf("device %s: %w", d.ID, err)
	}
	if !ddm.Capable(fresh.OSVersion) {
		return nil
	}
	return ddm.Enable(ctx, p.store.Tables(), fresh, p.svc.Now())
}

// syncDeclarations brings the declaratively managed devices among devices in line with the
// policy: each gets the set the policy's declared apps, its employee's licences and work
// mail account make, and the devices whose set changed get one DeclarativeManagement
// command (see queueSync) in the transaction that assigns their sets; a device whose set is
// unchanged gets nothing. It returns the declarative devices and the others, which stay on
// MDM commands.
func (p *Platform) syncDeclarations(ctx context.Context, t mdm.Tenant, wp mdm.WorkPolicy, declared []wantedApp, devices []mdm.Device,
	licensed licensedFunc) (declarative, others []mdm.Device, err error) {
	ids := make([]string, len(devices))
	for i, d := range devices {
		ids[i] = d.PlatformID
	}
	current, err := ddm.SetTokens(ctx, p.store.Tables().DB(), t.ID, ids)
	if err != nil || len(current) == 0 {
		return nil, devices, err
	}
	employees, err := p.mailEmployees(ctx, t, wp, devices)
	if err != nil {
		return nil, nil, err
	}
	sets := map[string]ddm.Set{}     // by the licensed apps and the employee the mail account is for
	targets := map[string][]string{} // enrolments by set token
	for _, d := range devices {
		token, managed := current[d.PlatformID]
		if !managed {
			others = append(others, d)
			continue
		}
		declarative = append(declarative, d)
		var apps []wantedApp
		var key strings.Builder
		for _, w := range declared {
			if licensed(d, w.bundleID) {
				apps = append(apps, w)
				key.WriteString(w.bundleID + "\n")
			}
		}
		mail := p.mailOf(wp, employees[d.EmployeeID])
		if mail != nil {
			key.WriteString("\x00" + mail.FullName + "\x00" + mail.Email)
		}
		s, ok := sets[key.String()]
		if !ok {
			if s, err = declarationSet(wp, apps, mail); err != nil {
				return nil, nil, fmt.Errorf("declarations of policy %q: %w", wp.Name, err)
			}
			sets[key.String()] = s
		}
		if s.Token != token {
			targets[s.Token] = append(targets[s.Token], d.PlatformID)
		}
	}
	byToken := make(map[string]ddm.Set, len(sets))
	for _, s := range sets {
		byToken[s.Token] = s
	}
	if err := p.queueSync(ctx, t, byToken, targets); err != nil {
		return nil, nil, fmt.Errorf("sync declarations of policy %q: %w", wp.Name, err)
	}
	return declarative, others, nil
}

// commandedRows are the rows of declarative devices that MDM commands look after: those of
// the apps that stay on commands, and those commands made of apps no declaration manages;
// never the rows of apps their declarations manage.
func commandedRows(have map[string][]storage.WorkApp, devices []mdm.Device, declared []wantedApp) map[string][]storage.WorkApp {
	out := make(map[string][]storage.WorkApp, len(devices))
	for _, d := range devices {
		for _, a := range have[d.PlatformID] {
			if !slices.ContainsFunc(declared, func(w wantedApp) bool { return w.bundleID == a.BundleID }) && (a.CommandUUID != "" || a.State == storage.AppFailed) {
				out[d.PlatformID] = append(out[d.PlatformID], a)
			}
		}
	}
	return out
}

// declarationSet is the set of the policy for a device that may have apps installed (the
// apps without a managed configuration: Apple's schema gives app.managed none), with the
// work mail account set up for its employee, if the policy has one.
func declarationSet(wp mdm.WorkPolicy, apps []wantedApp, mail *ddm.Mail) (ddm.Set, error) {
	pol := ddm.Policy{PasscodeRequired: wp.WorkPasscodeRequired, Mail: mail}
	for _, a := range apps {
		pol.Apps = append(pol.Apps, a.bundleID)
	}
	return ddm.Build(pol)
}

// declarativeApps are the wanted apps a declaration installs: those without a managed
// configuration. The others stay on MDM commands, which carry their configuration.
func declarativeApps(want []wantedApp) (declared, commanded []wantedApp) {
	for _, w := range want {
		if w.hash == configHash(mdm.EmptyJSONObject) {
			declared = append(declared, w)
		} else {
			commanded = append(commanded, w)
		}
	}
	return declared, commanded
}

// queueSync queues one DeclarativeManagement command for the enrolments of every set
// that changed and makes each follow its set in the same transaction; the push that wakes
// them goes with it (enqueue). When they all follow one set, the command carries its
// tokens, so that the phones need not ask; phones of several sets (each employee has one
// of their own when the policy has a work mail account) ask for their tokens.
func (p *Platform) queueSync(ctx context.Context, t mdm.Tenant, sets map[string]ddm.Set, targets map[string][]string) error {
	var ids []string
	setOf := map[string]string{} // set token by enrolment
	for token, enrolments := range targets {
		ids = append(ids, enrolments...)
		for _, id := range enrolments {
			setOf[id] = token
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	at := p.svc.Now()
	args := map[string]any{}
	if len(targets) == 1 {
		tokens, err := json.Marshal(ddm.Tokens(sets[setOf[ids[0]]], at))
		if err != nil {
			return fmt.Errorf("encode tokens: %w", err)
		}
		args["Data"] = tokens
	}
	cmd, err := newCommand(syncCommandPrefix+mdm.NewID(), "DeclarativeManagement", args)
	if err != nil {
		return err
	}
	_, err = p.enqueue(ctx, ids, cmd, true, func(tx *store.Tx, queued []string) error {
		byToken := map[string][]string{}
		for _, id := range queued {
			byToken[setOf[id]] = append(byToken[setOf[id]], id)
		}
		as := make([]ddm.Assignment, 0, len(byToken))
		for token, enrolments := range byToken {
			as = append(as, ddm.Assignment{Set: sets[token], Enrolments: enrolments})
		}
		slices.SortFunc(as, func(a, b ddm.Assignment) int { return strings.Compare(a.Set.Token, b.Set.Token) })
		return ddm.Assign(ctx, tx.DB(ctx), t.ID, as, at)
	})
	return err
}
