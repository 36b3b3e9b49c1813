package apnsfake_test

import (
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/apnsfake"
)

// A fake told to keep the latest pushes counts every push but holds only the latest, so
// that a demo server that runs for days does not grow with every push it made.
func TestTheFakeCountsEveryPushAndKeepsTheLatest(t *testing.T) {
	s := apnsfake.Start()
	defer s.Close()
	s.KeepLast(2)
	certPEM, keyPEM, err := apnsfake.PushCertificate("com.apple.mgmt.External.test", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.Roots(), Certificates: []tls.Certificate{cert}},
		ForceAttemptHTTP2: true}}
	tokens := []string{"00000000000000a1", "00000000000000a2", "00000000000000a3", "00000000000000a4", "00000000000000a5", "00000000000000a6"}
	for _, token := range tokens {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/3/device/"+token, strings.NewReader(`{"mdm":"magic"}`))
		req.Header.Set("apns-topic", "com.apple.mgmt.External.test")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("push to %s: HTTP %d", token, resp.StatusCode)
		}
	}
	if s.Count() != len(tokens) {
		t.Errorf("counted %d pushes, want %d", s.Count(), len(tokens))
	}
	kept := s.Pushes()
	if len(kept) > 4 || len(kept) < 2 || kept[len(kept)-1].Token != tokens[len(tokens)-1] {
		t.Errorf("kept %d pushes ending with %+v, want the latest 2 to 4 ending with the last", len(kept), kept[len(kept)-1])
	}
}
