package storage_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/nanomdm/service"
	"github.com/micromdm/nanomdm/service/certauth"
	"github.com/micromdm/nanomdm/service/nanomdm"
	nanostorage "github.com/micromdm/nanomdm/storage"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios/storage"
)

// server is nanomdm's check-in and command service on a storage, with certificate
// authentication in front, as a real server chains them.
func server(s nanostorage.AllStorage) service.CheckinAndCommandService {
	return certauth.New(nanomdm.New(s), s)
}

// device is a simulated user-enrolled iPhone: an enrolment ID (no UDID or serial number)
// and an identity certificate.
type device struct {
	id   string
	cert *x509.Certificate
	// perCall leaves out storage.RequestContext, which the server wraps every request in.
	perCall bool
}

func newDevice(t testing.TB) *device {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "test device"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &device{id: randomHex(16), cert: cert}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (d *device) enrollment() mdm.Enrollment { return mdm.Enrollment{EnrollmentID: d.id} }

// request is a request from the device as the HTTP layer hands it to the services.
func (d *device) request() *mdm.Request {
	ctx := context.Background()
	if !d.perCall {
		ctx = storage.RequestContext(ctx)
	}
	return mdm.NewRequestWithContext(ctx, d.cert)
}

// storeRequest is a request as the services hand it to the storage, for calling the
// storage directly.
func (d *device) storeRequest() *mdm.Request {
	r := d.request()
	r.EnrollID = &mdm.EnrollID{Type: mdm.UserEnrollmentDevice, ID: d.id}
	return r
}

// raw marshals a check-in message or command report and sets its Raw field, as decoding
// does on the server.
func raw[T any](t testing.TB, msg *T, setRaw func(*T, []byte)) *T {
	t.Helper()
	b, err := plist.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	setRaw(msg, b)
	return msg
}

// enrol runs the device's Authenticate and TokenUpdate through the services.
func (d *device) enrol(t testing.TB, svc service.CheckinAndCommandService) {
	t.Helper()
	auth := raw(t, &mdm.Authenticate{Enrollment: d.enrollment(), MessageType: mdm.MessageType{MessageType: "Authenticate"},
		Topic: "com.apple.mgmt.test"}, func(m *mdm.Authenticate, b []byte) { m.Raw = b })
	if err := svc.Authenticate(d.request(), auth); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	d.tokenUpdate(t, svc)
}

// tokenUpdate sends a TokenUpdate with a fresh push token.
func (d *device) tokenUpdate(t testing.TB, svc service.CheckinAndCommandService) {
	t.Helper()
	token := make([]byte, 32)
	_, _ = rand.Read(token)
	tok := raw(t, &mdm.TokenUpdate{Enrollment: d.enrollment(), MessageType: mdm.MessageType{MessageType: "TokenUpdate"},
		Push: mdm.Push{Topic: "com.apple.mgmt.test", PushMagic: randomHex(8), Token: token}},
		func(m *mdm.TokenUpdate, b []byte) { m.Raw = b })
	if err := svc.TokenUpdate(d.request(), tok); err != nil {
		t.Fatalf("TokenUpdate: %v", err)
	}
}

// checkOut sends a CheckOut: the work profile was removed.
func (d *device) checkOut(t testing.TB, svc service.CheckinAndCommandService) error {
	t.Helper()
	msg := raw(t, &mdm.CheckOut{Enrollment: d.enrollment(), MessageType: mdm.MessageType{MessageType: "CheckOut"}},
		func(m *mdm.CheckOut, b []byte) { m.Raw = b })
	if err := svc.CheckOut(d.request(), msg); err != nil {
		return fmt.Errorf("CheckOut of %s: %w", d.id, err)
	}
	return nil
}

// report sends a command report (status Idle with no UUID) and returns the next command's
// UUID, or "".
func (d *device) report(t testing.TB, svc service.CheckinAndCommandService, status, uuid string) string {
	t.Helper()
	next, err := d.send(t, svc, status, uuid)
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// send is report for goroutines other than the test's, which must not stop the test.
func (d *device) send(t testing.TB, svc service.CheckinAndCommandService, status, uuid string) (string, error) {
	res := raw(t, &mdm.CommandResults{Enrollment: d.enrollment(), Status: status, CommandUUID: uuid},
		func(m *mdm.CommandResults, b []byte) { m.Raw = b })
	cmd, err := svc.CommandAndReportResults(d.request(), res)
	if err != nil {
		return "", fmt.Errorf("report %s %s from %s: %w", status, uuid, d.id, err)
	}
	if cmd == nil {
		return "", nil
	}
	return cmd.CommandUUID, nil
}

// command returns a command with the UUID, as the API decodes it.
func command(t testing.TB, uuid string) *mdm.Command {
	t.Helper()
	cmd := &mdm.Command{CommandUUID: uuid}
	cmd.Command.RequestType = "ManagedApplicationList"
	return raw(t, cmd, func(m *mdm.Command, b []byte) { m.Raw = b })
}
