package android

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/trennwand/trennwand/mdm"
)

// servePubSub takes a Pub/Sub push. The push URL's secret names the tenant: missing is
// 401, unknown 403, both decided before the body is read. A body that is not a push of an
// AMAPI notification is 400. A message delivered again is acknowledged without effect. A
// failure of the server is 500, which makes Pub/Sub deliver the message again later.
func (p *Platform) servePubSub(w http.ResponseWriter, r *http.Request) {
	secret := r.URL.Query().Get("token")
	if secret == "" {
		http.Error(w, "the push URL lacks its token", http.StatusUnauthorized)
		return
	}
	switch _, err := p.pushTenant(r.Context(), hashSecret(secret)); {
	case errors.Is(err, errUnknownSecret):
		http.Error(w, "unknown push token", http.StatusForbidden)
		return
	case err != nil:
		p.fail(w, "look up push token", err)
		return
	}
	body, ok := readBody(w, r, MaxPushBytes)
	if !ok {
		return
	}
	n, err := DecodePush(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.cfg.Events.CheckIn(string(mdm.PlatformAndroid), notificationType(n.Type))
	err = p.process(r.Context(), hashSecret(secret), n)
	switch {
	case errors.Is(err, errUnknownSecret):
		http.Error(w, "unknown push token", http.StatusForbidden)
	case errors.Is(err, errIgnored):
		p.log.Warn("Android notification dropped", "type", n.Type, "message", n.MessageID, "reason", err)
		w.WriteHeader(http.StatusNoContent)
	case err != nil:
		p.fail(w, "process "+n.Type+" notification", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// readBody reads a request body of at most limit bytes; a body that is unreadable or
// longer is answered 400 and reported false.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil || int64(len(body)) > limit {
		http.Error(w, "the body is unreadable or too large", http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

func (p *Platform) fail(w http.ResponseWriter, what string, err error) {
	p.log.Error(what, "error", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// errUnknownSecret means a push came with a secret that names no tenant.
var errUnknownSecret = errors.New("unknown push secret")

// process carries out a notification once, for the tenant whose push secret has the hash.
// A status report, by far the most frequent, is written in one transaction with the record
// of its message ID, batched with the reports that arrive at the same time (batch.go). The
// others record the ID first and forget it again if processing fails, so that Pub/Sub's
// next delivery of it is processed. A notification about a device or command the tenant
// does not have is dropped (errIgnored).
func (p *Platform) process(ctx context.Context, secretHash []byte, n Notification) error {
	if n.Type == NotificationStatusReport && n.Device.State != "DELETED" {
		return p.statusReport(ctx, secretHash, n)
	}
	tenantID, err := p.pushTenant(ctx, secretHash)
	if err != nil {
		return err
	}
	return p.once(ctx, tenantID, n)
}

// pushTenant returns the tenant whose push secret has the hash; errUnknownSecret for none.
func (p *Platform) pushTenant(ctx context.Context, secretHash []byte) (string, error) {
	b, err := first[enterprise](ctx, p.db, "push_secret_hash = ?", secretHash)
	if errors.Is(err, mdm.ErrNotFound) {
		return "", errUnknownSecret
	}
	if err != nil {
		return "", fmt.Errorf("look up push secret: %w", err)
	}
	return b.TenantID, nil
}

// once records the message ID, then processes the notification.
func (p *Platform) once(ctx context.Context, tenantID string, n Notification) error {
	fresh, err := p.markSeen(ctx, tenantID, n.MessageID)
	if err != nil || !fresh {
		return err
	}
	err = p.handle(ctx, tenantID, n)
	if err != nil && !errors.Is(err, errIgnored) {
		return errors.Join(err, p.forget(ctx, tenantID, n.MessageID))
	}
	return err
}

func (p *Platform) handle(ctx context.Context, tenantID string, n Notification) error {
	switch n.Type {
	case NotificationEnrollment:
		return p.enrolled(ctx, tenantID, n.Device)
	case NotificationStatusReport:
		return p.reported(ctx, tenantID, n.Device)
	case NotificationCommand:
		return p.commandDone(ctx, tenantID, n.Operation)
	}
	return nil
}

// enrolled binds the new AMAPI device to the invited device its token was made for, and
// makes it active.
func (p *Platform) enrolled(ctx context.Context, tenantID string, rd *ReportedDevice) error {
	if rd.TokenData == "" {
		return fmt.Errorf("%w: device %s was enrolled without one of our tokens", errIgnored, rd.Name)
	}
	d, err := p.svc.Device(ctx, tenantID, rd.TokenData)
	if errors.Is(err, mdm.ErrNotFound) || (err == nil && d.Platform != mdm.PlatformAndroid) {
		return fmt.Errorf("%w: no Android device %q", errIgnored, rd.TokenData)
	}
	if err != nil {
		return err
	}
	if err := d.CanBeginEnrolment(rd.Name); err != nil {
		return fmt.Errorf("%w: %v", errIgnored, err)
	}
	if err := p.checkOwnership(ctx, tenantID, d, rd); err != nil {
		return err
	}
	if err := p.svc.Enrolment.BeginEnrolment(ctx, tenantID, d.ID, rd.Name); err != nil {
		return err
	}
	if err := p.svc.Enrolment.CompleteEnrolment(ctx, tenantID, d.ID); err != nil {
		return err
	}
	if err := p.recordEnterpriseID(ctx, tenantID, d.ID, rd.EnterpriseSpecificID); err != nil {
		return err
	}
	if err := p.recordHardware(ctx, tenantID, d, rd); err != nil {
		return err
	}
	return p.reportStatus(ctx, tenantID, d.ID, rd)
}

// reported records a status report; a device that AMAPI reports deleted has lost its
// work profile, and is removed.
func (p *Platform) reported(ctx context.Context, tenantID string, rd *ReportedDevice) error {
	ds, err := p.svc.DevicesByPlatformIDs(ctx, tenantID, mdm.PlatformAndroid, []string{rd.Name})
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return fmt.Errorf("%w: no device %s", errIgnored, rd.Name)
	}
	d := ds[0]
	if d.State == mdm.DeviceRemoved {
		return nil
	}
	if rd.State == "DELETED" {
		return p.svc.ConfirmRemoval(ctx, "android", tenantID, d.ID, "the work profile was removed from the phone")
	}
	return p.reportStatus(ctx, tenantID, d.ID, rd)
}

// commandDone finishes the command an operation carried out.
func (p *Platform) commandDone(ctx context.Context, tenantID string, op *ReportedOperation) error {
	if !op.Done {
		return nil
	}
	row, err := first[operation](ctx, p.db, "tenant_id = ? AND operation_name = ?", tenantID, op.Name)
	if errors.Is(err, mdm.ErrNotFound) {
		return fmt.Errorf("%w: no command for operation %s", errIgnored, op.Name)
	}
	if err != nil {
		return err
	}
	return p.svc.FinishCommand(ctx, tenantID, row.CommandID, op.Error)
}

// signupWords are what the sign-up's return page says, in the language the
// administrator's browser asks for (mdm.Language).
var signupWords = map[string]struct{ Incomplete, Unknown, Bound string }{
	"de": {Incomplete: "Der Rücksprung von Google ist unvollständig: state oder enterpriseToken fehlt.",
		Unknown: "Diese Registrierung ist unbekannt oder abgelaufen: Starten Sie sie im Dashboard neu.",
		Bound:   "Das Android-Unternehmen %s ist verbunden.\n\nLegen Sie für das Pub/Sub-Thema %s ein Push-Abonnement\nmit diesem Push-Endpunkt an (er wird nur jetzt angezeigt):\n\n%s\n"},
	"en": {Incomplete: "the sign-up callback lacks state or enterpriseToken",
		Unknown: "unknown or expired sign-up: start it again in the dashboard",
		Bound:   "The Android enterprise %s is bound.\n\nCreate a push subscription on the Pub/Sub topic %s\nwith this push endpoint (shown only now):\n\n%s\n"},
}

// serveSignupCallback finishes a sign-up when Google's page returns with the enterprise
// token, and shows the push URL for the Pub/Sub subscription, once.
func (p *Platform) serveSignupCallback(w http.ResponseWriter, r *http.Request) {
	lang := mdm.Language(r.Header.Get("Accept-Language"))
	words := signupWords[lang]
	w.Header().Set("Content-Language", lang)
	q := r.URL.Query()
	state, token := q.Get("state"), q.Get("enterpriseToken")
	if state == "" || token == "" {
		http.Error(w, words.Incomplete, http.StatusBadRequest)
		return
	}
	b, err := p.CompleteSignup(r.Context(), state, token)
	switch {
	case errors.Is(err, mdm.ErrNotFound):
		http.Error(w, words.Unknown, http.StatusNotFound)
		return
	case errors.Is(err, mdm.ErrConflict):
		http.Error(w, err.Error(), http.StatusConflict)
		return
	case err != nil:
		p.fail(w, "complete Android sign-up", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = fmt.Fprintf(w, words.Bound, b.Enterprise, b.Topic, b.PushURL)
}
