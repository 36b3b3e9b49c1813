package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/smallstep/scep"
)

// FuzzDecodeSCEPRequest feeds the SCEP edge whatever a client can send. It never panics,
// and what it lets through is a known operation with the right method, and for
// PKIOperation a signed SCEP certificate request (PKCSReq) of bounded size.
func FuzzDecodeSCEPRequest(f *testing.F) {
	_, ra := newSelfSigned(f, 2048, "RA")
	key, self := newSelfSigned(f, 2048, "scep-client")
	dev := &scepDevice{t: f, key: key, self: self}
	pkcsReq := dev.message("GEZDGNBVGY3TQOJQ", scep.PKCSReq, []*x509.Certificate{ra}).Raw
	renewal := dev.message("GEZDGNBVGY3TQOJQ", scep.RenewalReq, []*x509.Certificate{ra}).Raw
	apple := "operation=PKIOperation&message=" + strings.ReplaceAll(base64.StdEncoding.EncodeToString(pkcsReq), "=", "%3D")
	for _, seed := range []struct {
		method, query string
		body          []byte
	}{
		{http.MethodPost, "operation=PKIOperation", pkcsReq},
		{http.MethodGet, getQuery(pkcsReq), nil},
		{http.MethodGet, apple, nil},
		{http.MethodPost, "operation=PKIOperation", renewal},
		{http.MethodGet, "operation=GetCACaps", nil},
		{http.MethodGet, "operation=GetCACert&message=CA", nil},
		{http.MethodPost, "operation=PKIOperation", []byte("garbage")},
		{http.MethodPost, "operation=PKIOperation", berPanic},
		{http.MethodPost, "operation=PKIOperation", pkcsReq[:len(pkcsReq)/2]},
		{http.MethodPut, "operation=PKIOperation", pkcsReq},
		{http.MethodGet, "operation=PKIOperation&message=%zz", nil},
		{http.MethodGet, "operation=PKIOperation&message=" + strings.Repeat("A", 1<<10), nil},
	} {
		f.Add(seed.method, seed.query, seed.body)
	}
	f.Fuzz(func(t *testing.T, method, rawQuery string, body []byte) {
		req, err := decodeSCEPRequest(method, rawQuery, bytes.NewReader(body))
		if err != nil {
			return
		}
		switch req.Operation {
		case opGetCACert, opGetCACaps:
			if method != http.MethodGet || len(req.Message) != 0 {
				t.Fatalf("%s by %s with a %d-byte message let through", req.Operation, method, len(req.Message))
			}
		case opPKIOperation:
			if method != http.MethodGet && method != http.MethodPost {
				t.Fatalf("PKIOperation by %s let through", method)
			}
			if len(req.Message) == 0 || len(req.Message) > maxSCEPMessage {
				t.Fatalf("a %d-byte message let through", len(req.Message))
			}
			msg, err := scep.ParsePKIMessage(req.Message)
			if err != nil {
				t.Fatalf("a message that does not parse let through: %v", err)
			}
			if msg.MessageType != scep.PKCSReq {
				t.Fatalf("a message of type %q let through", string(msg.MessageType))
			}
		default:
			t.Fatalf("operation %q let through", req.Operation)
		}
	})
}

// FuzzParseSerial checks that a serial number is accepted only in decimal or hex (with
// colons), and comes out as the positive decimal of at most 160 bits that it stands for.
func FuzzParseSerial(f *testing.F) {
	for _, seed := range []string{"12345", "3a:f0:01", "3AF001", "0042", "", "0", "-1", "+1", "š", "0x1f",
		strings.Repeat("ff:", 19) + "ff", "01:" + strings.Repeat("00:", 19) + "00"} {
		f.Add(seed)
	}
	accepted := regexp.MustCompile(`^\+?[0-9a-fA-F:]+$`)
	decimal := regexp.MustCompile(`^[1-9][0-9]*$`)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSerial(s)
		if err != nil {
			return
		}
		if !accepted.MatchString(s) {
			t.Fatalf("ParseSerial(%q) = %q, want an error for characters that are neither decimal nor hex", s, got)
		}
		n, ok := new(big.Int).SetString(got, 10)
		if !decimal.MatchString(got) || !ok || n.BitLen() > 160 {
			t.Fatalf("ParseSerial(%q) = %q, want the positive decimal of at most 160 bits", s, got)
		}
		if again, err := ParseSerial(got); err != nil || again != got {
			t.Fatalf("ParseSerial(%q) = %q, %v; want it unchanged", got, again, err)
		}
		if want, ok := new(big.Int).SetString(s, 10); ok && want.Cmp(n) != 0 {
			t.Fatalf("ParseSerial(%q) = %q, want the decimal value %s", s, got, want)
		}
	})
}
