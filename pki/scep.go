package pki

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	steplog "github.com/smallstep/certificates/api/log"
	"github.com/smallstep/certificates/authority"
	"github.com/smallstep/certificates/authority/provisioner"
	stepscep "github.com/smallstep/certificates/scep"
	scepapi "github.com/smallstep/certificates/scep/api"
	"github.com/smallstep/scep"
)

// The SCEP operations devices use.
const (
	opGetCACert    = "GetCACert"
	opGetCACaps    = "GetCACaps"
	opPKIOperation = "PKIOperation"
)

// maxSCEPMessage bounds a PKIOperation message; a real one is a few kilobytes.
const maxSCEPMessage = 256 << 10

// scepRequest is a SCEP request checked at the edge, before step's handler sees it.
type scepRequest struct {
	Operation string
	Message   []byte // the PKIOperation's PKCS#7 message; empty for the other operations
}

// decodeSCEPRequest checks a SCEP request: a known operation with the right method, and
// for PKIOperation a message that is a signed SCEP certificate request (PKCSReq). What
// fails here is the client's mistake and is answered 400, never passed on.
func decodeSCEPRequest(method string, rawQuery string, body io.Reader) (scepRequest, error) {
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return scepRequest{}, fmt.Errorf("malformed query: %w", err)
	}
	req := scepRequest{Operation: query.Get("operation")}
	switch {
	case req.Operation == opGetCACert || req.Operation == opGetCACaps:
		if method != http.MethodGet {
			return req, fmt.Errorf("%s needs GET", req.Operation)
		}
		return req, nil
	case req.Operation != opPKIOperation:
		return req, fmt.Errorf("unknown operation %q", req.Operation)
	case method == http.MethodPost:
		req.Message, err = io.ReadAll(io.LimitReader(body, maxSCEPMessage+1))
		if err != nil {
			return req, fmt.Errorf("read message: %w", err)
		}
	case method == http.MethodGet:
		if req.Message, err = decodeGetMessage(query.Get("message"), rawQuery); err != nil {
			return req, err
		}
	default:
		return req, fmt.Errorf("method %s not allowed", method)
	}
	if len(req.Message) == 0 || len(req.Message) > maxSCEPMessage {
		return req, fmt.Errorf("message missing or larger than %d bytes", maxSCEPMessage)
	}
	msg, err := parsePKIMessage(req.Message)
	if err != nil {
		return req, fmt.Errorf("not a signed SCEP message: %w", err)
	}
	if msg.MessageType != scep.PKCSReq {
		return req, fmt.Errorf("message type %q not supported: only certificate requests (PKCSReq) are", string(msg.MessageType))
	}
	return req, nil
}

// parsePKIMessage parses a signed SCEP message. The BER reader of the pkcs7 library panics
// on some malformed input (an index out of range), which is a malformed message like any
// other.
func parsePKIMessage(raw []byte) (msg *scep.PKIMessage, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("malformed PKCS#7: %v", r)
		}
	}()
	return scep.ParsePKIMessage(raw)
}

// decodeGetMessage decodes the base64 message of a GET PKIOperation. Some Apple devices
// leave + and / unescaped in the query and escape only the padding, so the unescaped value
// has spaces for pluses; the raw query is tried then.
func decodeGetMessage(message, rawQuery string) ([]byte, error) {
	if message == "" {
		return nil, errors.New("PKIOperation without a message")
	}
	if len(message) > 2*maxSCEPMessage {
		return nil, fmt.Errorf("message larger than %d bytes", maxSCEPMessage)
	}
	if b, err := base64.StdEncoding.DecodeString(message); err == nil {
		return b, nil
	}
	for _, kv := range strings.Split(rawQuery, "&") {
		if raw, ok := strings.CutPrefix(kv, "message="); ok {
			if b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(raw, "%3D", "=")); err == nil {
				return b, nil
			}
		}
	}
	return nil, errors.New("message is not base64")
}

// SCEPHandler serves SCEP under /scep/devices (and /scep/devices/…, where some clients
// append pkiclient.exe): GetCACaps, GetCACert and PKIOperation by GET or POST.
func (ca *CA) SCEPHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, _ := strings.CutPrefix(r.URL.Path, "/scep/")
		if name, _, _ := strings.Cut(rest, "/"); name != SCEPProvisioner {
			http.Error(w, "no SCEP endpoint here; devices enrol at "+ca.SCEPURL(), http.StatusNotFound)
			return
		}
		req, err := decodeSCEPRequest(r.Method, r.URL.RawQuery, r.Body)
		if err != nil {
			ca.counted(false, SCEPMalformed)
			http.Error(w, "bad SCEP request: "+err.Error(), http.StatusBadRequest)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = io.NopCloser(bytes.NewReader(req.Message))
		}
		rec := &bufferedResponse{header: http.Header{}}
		outcome := &scepOutcome{}
		ctx := context.WithValue(ca.scepContext(r.Context()), scepOutcomeKey{}, outcome)
		panicked := ca.guarded(func() {
			if r.Method == http.MethodPost {
				scepapi.Post(rec, r.WithContext(ctx))
			} else {
				scepapi.Get(rec, r.WithContext(ctx))
			}
		})
		// step answers 500 when it cannot open a message that parsed (encrypted for another
		// recipient, a broken envelope), and the pkcs7 library panics on some broken
		// envelopes: that is the client's mistake too. Failures of the server itself come
		// back as a SCEP FAILURE reply with status 200.
		if panicked || (rec.status >= 500 && req.Operation == opPKIOperation) {
			ca.counted(false, SCEPMalformed)
			http.Error(w, "bad SCEP request: the message cannot be opened by this server", http.StatusBadRequest)
			return
		}
		if req.Operation == opPKIOperation {
			ca.countReply(rec, outcome)
		}
		rec.writeTo(w)
	})
}

// Reasons why a SCEP certificate request was refused, as Config.OnSCEP reports them.
const (
	SCEPMalformed = "malformed" // not a SCEP request this server can read or open
	SCEPChallenge = "challenge" // its challenge was unknown, expired or used
	SCEPPolicy    = "policy"    // the CA refused it otherwise (the key, the names)
)

// scepOutcome is what the challenge hook learnt about one request.
type scepOutcome struct{ challengeRefused bool }

type scepOutcomeKey struct{}

// refuseChallenge notes in the request's context that its challenge was refused.
func refuseChallenge(ctx context.Context) {
	if o, ok := ctx.Value(scepOutcomeKey{}).(*scepOutcome); ok {
		o.challengeRefused = true
	}
}

// countReply reports a PKIOperation's answer to Config.OnSCEP: a certificate issued, or a
// failure with its reason.
func (ca *CA) countReply(rec *bufferedResponse, o *scepOutcome) {
	if ca.cfg.OnSCEP == nil {
		return
	}
	msg, err := scep.ParsePKIMessage(rec.body.Bytes())
	switch {
	case err == nil && msg.PKIStatus == scep.SUCCESS:
		ca.counted(true, "")
	case o.challengeRefused:
		ca.counted(false, SCEPChallenge)
	default:
		ca.counted(false, SCEPPolicy)
	}
}

// counted reports one certificate request to Config.OnSCEP.
func (ca *CA) counted(issued bool, reason string) {
	if ca.cfg.OnSCEP != nil {
		ca.cfg.OnSCEP(issued, reason)
	}
}

// guarded runs fn and reports whether it panicked, logging the panic.
func (ca *CA) guarded(fn func()) (panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			ca.log.Warn("SCEP request panicked in step's handler", "panic", r)
			panicked = true
		}
	}()
	fn()
	return false
}

func (ca *CA) scepContext(ctx context.Context) context.Context {
	ctx = authority.NewContext(ctx, ca.auth)
	ctx = stepscep.NewContext(ctx, ca.auth.GetSCEP())
	if p, err := ca.auth.LoadProvisionerByName(SCEPProvisioner); err == nil {
		if sp, ok := p.(*provisioner.SCEP); ok {
			ctx = stepscep.NewProvisionerContext(ctx, sp)
		}
	}
	return steplog.WithErrorLogger(ctx, func(_ http.ResponseWriter, r *http.Request, err error) {
		ca.log.Info("SCEP request failed", "error", err)
	})
}

// bufferedResponse holds step's answer so that it can be corrected before it is sent.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) writeTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}
