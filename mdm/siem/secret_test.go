package siem_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The webhook's secret is given once (from a file) and kept sealed in the database, so
// every replica signs with it; a short one or none at all is refused with what to do.
func TestTheWebhookSecretIsKeptSealedOnceGiven(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := domain.New(s, storetest.PlainSealer{})
		if _, err := svc.SIEM.WebhookSecret(ctx, nil); !errors.Is(err, mdm.ErrInvalid) || !strings.Contains(err.Error(), "siem-webhook-secret-file") {
			t.Fatalf("no secret anywhere: %v", err)
		}
		if _, err := svc.SIEM.WebhookSecret(ctx, []byte("too short")); !errors.Is(err, mdm.ErrInvalid) {
			t.Fatalf("a short secret: %v", err)
		}
		secret := []byte("0123456789abcdef0123456789abcdef-replica-one")
		if _, err := svc.SIEM.WebhookSecret(ctx, secret); err != nil {
			t.Fatal(err)
		}
		other := domain.New(s, storetest.PlainSealer{}) // another replica, started without the file
		got, err := other.SIEM.WebhookSecret(ctx, nil)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("the kept secret: %q, %v", got, err)
		}
	})
}
