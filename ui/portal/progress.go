package portal

import (
	"fmt"
	"net/http"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui"
)

// DefaultRefresh is how often a page that waits for the phone reloads itself.
const DefaultRefresh = 20 * time.Second

// The steps of setting up a phone, in their order; each names its texts in the catalogue
// (progress.step.ID and progress.hint.ID.STATE).
const (
	stepNotice   = "notice"   // the privacy notice read and acknowledged
	stepPhone    = "phone"    // waiting for the phone to get in touch
	stepEnrolled = "enrolled" // the work area is set up on the phone
	stepApps     = "apps"     // the policy's work apps are installed
	stepDone     = "done"     // nothing left to do
)

// stepState is where one step stands.
type stepState string

const (
	stateDone   stepState = "done"   // behind the employee
	stateActive stepState = "active" // under way now, by itself or by the employee
	stateTodo   stepState = "todo"   // still to come
	stateFailed stepState = "failed" // gave up; its hint says what to do
)

// step is one line of the progress list.
type step struct {
	ID    string
	State stepState
	// Current marks where the employee stands: the first step not done, or the last
	// step once everything is done.
	Current bool
	// Apps are the counts the apps step shows.
	Apps mdm.WorkAppProgress
}

// progress is a phone's way through the set-up, as the portal shows it.
type progress struct {
	Steps []step
}

// progressOf decides the steps for a device in the state with the work apps as reported;
// the apps step is left out when the platform cannot tell which apps are installed. The
// notice is always done: nothing shows progress before it is acknowledged.
func progressOf(state mdm.DeviceState, apps mdm.WorkAppProgress) progress {
	phone, enrolled := stateDone, stateDone
	switch state {
	case mdm.DeviceInvited:
		phone, enrolled = stateActive, stateTodo
	case mdm.DeviceEnrolling:
		enrolled = stateActive
	}
	steps := []step{{ID: stepNotice, State: stateDone}, {ID: stepPhone, State: phone}, {ID: stepEnrolled, State: enrolled}}
	if apps.Reported {
		st := stateTodo
		switch {
		case enrolled != stateDone:
		case apps.Failed > 0:
			st = stateFailed
		case apps.Done():
			st = stateDone
		default:
			st = stateActive
		}
		steps = append(steps, step{ID: stepApps, State: st, Apps: apps})
	}
	final := stateDone
	for _, s := range steps {
		if s.State != stateDone {
			final = stateTodo
		}
	}
	steps = append(steps, step{ID: stepDone, State: final})
	for i := range steps {
		if steps[i].State != stateDone || i == len(steps)-1 {
			steps[i].Current = true
			break
		}
	}
	return progress{Steps: steps}
}

// shownStep is a step in the page's language: what it is, where it stands in words (no
// colour or symbol alone says it), and for the step the employee stands at, what happens
// or what to do.
type shownStep struct {
	Label, State, Hint string
	Current            bool
	Class              stepState
}

// show puts the steps into the words of the localizer.
func (p progress) show(l *ui.Localizer) []shownStep {
	out := make([]shownStep, len(p.Steps))
	for i, s := range p.Steps {
		label := l.T("progress.step." + s.ID)
		if s.ID == stepApps && s.Apps.Wanted > 0 {
			label = l.T("progress.step.apps_count", s.Apps)
		}
		out[i] = shownStep{Label: label, State: l.T("progress.state." + string(s.State)), Current: s.Current, Class: s.State}
		if s.Current && s.State != stateTodo {
			out[i].Hint = l.T("progress.hint."+s.ID+"."+string(s.State), s.Apps)
		}
	}
	return out
}

// Waiting reports whether something is under way that the page learns of by reloading:
// neither done nor failed.
func (p progress) Waiting() bool {
	for _, s := range p.Steps {
		if s.Current {
			return s.State == stateActive
		}
	}
	return false
}

// refresh is what a page that may wait says about reloading itself.
type refresh struct {
	// On: the page reloads itself; Seconds is how often.
	On      bool
	Seconds int
	// OffURL turns the reloading off (for an employee who reads slowly or with a screen
	// reader); ReloadURL reloads the page once, when it is off.
	OffURL, ReloadURL string
}

// autoRefresh sets the page to reload itself while it waits for the phone, unless the
// employee turned that off (?auto=0). It is the HTTP Refresh header, which every browser
// follows without JavaScript; a <meta> refresh does the same but counts as a time limit
// that WCAG 2.2.1 checkers refuse, and the page offers to turn it off either way.
func (p *Portal) autoRefresh(w http.ResponseWriter, r *http.Request, code string, waiting bool) refresh {
	if !waiting {
		return refresh{}
	}
	self := withLang(r, codeURL(code))
	if r.URL.Query().Get("auto") == "0" {
		return refresh{ReloadURL: self + "&auto=0"}
	}
	seconds := int(p.cfg.Refresh.Seconds())
	w.Header().Set("Refresh", fmt.Sprintf("%d; url=%s", seconds, self))
	return refresh{On: true, Seconds: seconds, OffURL: self + "&auto=0"}
}
