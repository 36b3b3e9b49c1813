package siem

import (
	"context"
	"errors"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
)

// webhookSecretName is the installation setting that keeps the webhook's signing secret,
// sealed with the master key for this purpose.
const webhookSecretName = "siem-webhook-secret"

// MinWebhookSecret is the shortest signing secret accepted, in bytes: HMAC-SHA256 wants a
// key as long as its output.
const MinWebhookSecret = 32

// WebhookSecret returns the secret the webhook's requests are signed with: the given one,
// which is then kept sealed in the database (replacing an older one), so that every
// replica signs with it and the file it came from may be removed; or else the one kept
// before. It fails when there is neither or the secret is too short.
func (s *Service) WebhookSecret(ctx context.Context, given []byte) ([]byte, error) {
	sealer := s.Settings.Sealer
	if len(given) > 0 {
		if len(given) < MinWebhookSecret {
			return nil, fmt.Errorf("%w: the webhook secret has %d bytes; give at least %d (for example: openssl rand -base64 48)",
				mdm.ErrInvalid, len(given), MinWebhookSecret)
		}
		sealed, err := sealer.Seal(webhookSecretName, given)
		if err != nil {
			return nil, fmt.Errorf("seal the webhook secret: %w", err)
		}
		if err := s.DB.Tenants().SetInstallationSetting(ctx, webhookSecretName, sealed); err != nil {
			return nil, fmt.Errorf("keep the webhook secret: %w", err)
		}
		return given, nil
	}
	sealed, err := s.DB.Tenants().InstallationSetting(ctx, webhookSecretName)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil, fmt.Errorf("%w: the webhook needs a signing secret: give siem-webhook-secret-file (TRENNWAND_SIEM_WEBHOOK_SECRET_FILE) once", mdm.ErrInvalid)
	}
	if err != nil {
		return nil, fmt.Errorf("read the webhook secret: %w", err)
	}
	secret, err := sealer.Open(webhookSecretName, sealed)
	if err != nil {
		return nil, fmt.Errorf("open the webhook secret (is this the installation's master key?): %w", err)
	}
	return secret, nil
}
