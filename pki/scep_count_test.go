package pki

import (
	"sync"
	"testing"

	"gorm.io/gorm"
)

// Every certificate request is reported once, with what became of it: a certificate
// issued, or refused because the message could not be read, its challenge was used, or
// the CA would not sign what it asked for.
func TestSCEPRequestsAreReportedWithTheirOutcome(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		var mu sync.Mutex
		var got []string
		ca := openTestCA(t, db, Config{OnSCEP: func(issued bool, reason string) {
			mu.Lock()
			defer mu.Unlock()
			if issued {
				reason = "issued"
			}
			got = append(got, reason)
		}})
		id := Identity{TenantID: "musterstadt", EnrolmentID: "e1"}
		challenge := mustChallenge(t, ca, id)
		dev := newSCEPDevice(t, ca, 2048)
		dev.send(dev.request(challenge).Raw, false)
		again := newSCEPDevice(t, ca, 2048)
		again.send(again.request(challenge).Raw, false)
		dev.do(scepPaths[0], "operation=PKIOperation", []byte("not a SCEP message"))
		short := newSCEPDevice(t, ca, 1024)
		short.send(short.request(mustChallenge(t, ca, Identity{TenantID: "musterstadt", EnrolmentID: "e2"})).Raw, false)
		dev.get("operation=GetCACaps")

		want := []string{"issued", SCEPChallenge, SCEPMalformed, SCEPPolicy}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != len(want) {
			t.Fatalf("reported %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("request %d reported %q, want %q (all: %v)", i+1, got[i], want[i], got)
			}
		}
	})
}
