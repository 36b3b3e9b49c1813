// Package openid speaks OpenID Connect as a relying party to the tenants' providers, with
// github.com/coreos/go-oidc and golang.org/x/oauth2: discovery with the issuer checked,
// the authorization-code flow with PKCE (S256) and a nonce, and the ID token's
// signature, issuer, audience, expiry and nonce. The administrators' single sign-on and
// the employees' confirmation of who they are both go through it, so that both check a
// provider's answer the same way.
package openid

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Provider is what a relying party needs of a tenant's provider; the client secret is
// open here, so a Provider lives only as long as one request.
type Provider struct {
	Issuer, ClientID, ClientSecret string
	Scopes                         []string
}

// Flow is one way to the provider and back: the state that names it, the nonce the ID
// token must carry and the PKCE verifier whose challenge the provider gets.
type Flow struct {
	State, Nonce, Verifier string
}

// Answer is the provider's answer as the browser brings it to the callback.
type Answer struct {
	State, Code, Error string
}

// maxAnswerField bounds each field of an answer; a provider's state, code and error are
// far shorter.
const maxAnswerField = 4 << 10

// AnswerOf reads the provider's answer from the callback's query. A field longer than a
// provider would send is dropped, so that the answer is refused as incomplete.
func AnswerOf(q url.Values) Answer {
	field := func(name string) string {
		if v := q.Get(name); len(v) <= maxAnswerField {
			return v
		}
		return ""
	}
	return Answer{State: field("state"), Code: field("code"), Error: field("error")}
}

// Refusal is an answer that cannot be trusted: an error from the provider, no code, a
// code the provider did not exchange, or an ID token with the wrong signature, issuer,
// audience, expiry or nonce. Why says which, for the audit trail.
type Refusal struct{ Why string }

func (r *Refusal) Error() string { return "the provider's answer is refused: " + r.Why }

// Client reaches the providers over HTTP.
type Client struct{ http *http.Client }

// New returns a client on c; nil takes one with a timeout.
func New(c *http.Client) Client {
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	return Client{http: c}
}

// Context returns ctx with the client for go-oidc and oauth2.
func (c Client) Context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.http)
}

// Discover fetches the issuer's discovery document, which must name the issuer exactly.
func (c Client) Discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	op, err := oidc.NewProvider(c.Context(ctx), issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", issuer, err)
	}
	return op, nil
}

// config is the code flow's client at the discovered provider.
func config(p Provider, op *oidc.Provider, redirect string) oauth2.Config {
	return oauth2.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: op.Endpoint(), RedirectURL: redirect, Scopes: p.Scopes}
}

// AuthURL is where the browser goes to sign in at the discovered provider: the flow's
// state, nonce and PKCE challenge, and the redirect URI it comes back to.
func AuthURL(p Provider, op *oidc.Provider, redirect string, f Flow) string {
	cfg := config(p, op, redirect)
	return cfg.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
}

// Verify exchanges the answer's code with the flow's PKCE verifier and checks the ID
// token: signed by the provider, for this client, unexpired, with the flow's nonce. An
// answer that fails is a *Refusal; a provider that cannot be reached is one too, since
// the person cannot be told apart from anyone else then.
func (c Client) Verify(ctx context.Context, p Provider, redirect string, a Answer, f Flow) (Identity, error) {
	refuse := func(why string) (Identity, error) { return Identity{}, &Refusal{Why: clip(why, 200)} }
	if a.Error != "" {
		return refuse("the provider answered " + clip(a.Error, 64))
	}
	if a.Code == "" {
		return refuse("no code")
	}
	octx := c.Context(ctx)
	op, err := c.Discover(ctx, p.Issuer)
	if err != nil {
		return refuse("provider unreachable: " + err.Error())
	}
	cfg := config(p, op, redirect)
	tok, err := cfg.Exchange(octx, a.Code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return refuse("code refused: " + err.Error())
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return refuse("no ID token")
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: p.ClientID}).Verify(octx, raw)
	if err != nil {
		return refuse("ID token refused: " + err.Error())
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return refuse("ID token refused: wrong nonce")
	}
	id := Identity{Issuer: idt.Issuer, Subject: idt.Subject}
	if err := idt.Claims(&id.Claims); err != nil {
		return refuse("ID token refused: " + err.Error())
	}
	return id, nil
}

// clip shortens a text from outside for the audit trail.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
