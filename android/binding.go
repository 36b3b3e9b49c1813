package android

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// notificationTypes are the notifications the platform asks Google for.
var notificationTypes = []string{"ENROLLMENT", "STATUS_REPORT", "COMMAND"}

var (
	enterprisePattern = regexp.MustCompile(`^enterprises/[A-Za-z0-9_-]{1,100}$`)
	topicPattern      = regexp.MustCompile(`^projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/topics/[A-Za-z][-A-Za-z0-9._~%+]{2,254}$`)
)

// Binding is a tenant's Android enterprise as the operator needs to know it.
type Binding struct {
	Enterprise string
	Topic      string
	// PushURL is the Pub/Sub push endpoint with the tenant's secret: the push
	// subscription of Topic must deliver there. It is shown once, when it is made.
	PushURL string
}

// DefaultTopic is the Pub/Sub topic a tenant's notifications go to unless the operator
// names another: trennwand-<tenant> in the credentials' project.
func (p *Platform) DefaultTopic(t mdm.Tenant) (string, error) {
	if p.amapi.projectID == "" {
		return "", fmt.Errorf("%w: no Google Cloud project known: name the Pub/Sub topic (projects/P/topics/T)", mdm.ErrInvalid)
	}
	return "projects/" + p.amapi.projectID + "/topics/trennwand-" + t.Name, nil
}

// Bind binds the tenant to an existing Android enterprise: it checks that the enterprise
// exists, turns on the ENROLLMENT, STATUS_REPORT and COMMAND notifications on topic, puts
// the baseline policy in place and stores the binding with a new push secret. Binding
// again (the same or another enterprise) replaces the binding and the secret.
func (p *Platform) Bind(ctx context.Context, actor string, t mdm.Tenant, enterpriseName, topic string) (Binding, error) {
	if !enterprisePattern.MatchString(enterpriseName) {
		return Binding{}, fmt.Errorf("%w: enterprise %q: write enterprises/ID, as Google names it", mdm.ErrInvalid, enterpriseName)
	}
	if !topicPattern.MatchString(topic) {
		return Binding{}, fmt.Errorf("%w: Pub/Sub topic %q: write projects/PROJECT/topics/TOPIC", mdm.ErrInvalid, topic)
	}
	if _, err := p.amapi.Enterprise(ctx, enterpriseName); err != nil {
		return Binding{}, fmt.Errorf("bind %s: %w", enterpriseName, err)
	}
	_, err := p.amapi.PatchEnterprise(ctx, enterpriseName, "pubsubTopic,enabledNotificationTypes",
		&amapi.Enterprise{PubsubTopic: topic, EnabledNotificationTypes: notificationTypes})
	if err != nil {
		return Binding{}, fmt.Errorf("bind %s: %w", enterpriseName, err)
	}
	return p.bound(ctx, actor, t, enterpriseName, topic)
}

// bound puts the baseline policy in place and stores the binding with a fresh push
// secret, with its audit event.
func (p *Platform) bound(ctx context.Context, actor string, t mdm.Tenant, enterpriseName, topic string) (Binding, error) {
	if err := p.sendBaseline(ctx, t.ID, enterpriseName); err != nil {
		return Binding{}, fmt.Errorf("bind %s: %w", enterpriseName, err)
	}
	secret, hash := newPushSecret()
	err := p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		row := enterprise{TenantID: t.ID, EnterpriseName: enterpriseName, PubsubTopic: topic, PushSecretHash: hash, CreatedAt: at, UpdatedAt: at}
		err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"enterprise_name", "pubsub_topic", "push_secret_hash", "updated_at"})}).Create(&row).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("%w: enterprise %s is bound to another tenant", mdm.ErrConflict, enterpriseName)
		}
		if err != nil {
			return fmt.Errorf("store binding: %w", err)
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.AndroidBind, Subject: audit.Tenant.Of(t.ID),
			Details: audit.Fields(map[string]any{"enterprise": enterpriseName, "topic": topic})})
		return err
	})
	if err != nil {
		return Binding{}, err
	}
	return Binding{Enterprise: enterpriseName, Topic: topic, PushURL: p.pubsub + "?token=" + secret}, nil
}

// baselinePolicyName is the policy of devices whose work policy is not set: the rules of
// an empty work policy (no apps, copy and paste to personal blocked).
func baselinePolicyName(enterpriseName string) string { return enterpriseName + "/policies/baseline" }

// sendBaseline sends the enterprise's baseline policy, with the companion app when the
// tenant has enabled certificates (its bootstrap secret under the empty work policy ID).
func (p *Platform) sendBaseline(ctx context.Context, tenantID, enterpriseName string) error {
	out := translate(mdm.WorkPolicy{}, nil)
	if err := p.addCompanion(ctx, tenantID, "", out); err != nil {
		return err
	}
	if _, err := p.amapi.PatchPolicy(ctx, baselinePolicyName(enterpriseName), out); err != nil {
		return fmt.Errorf("baseline policy: %w", err)
	}
	return nil
}

// newPushSecret returns a fresh secret for the push URL and the hash under which it is
// kept.
func newPushSecret() (secret string, hash []byte) { return mdm.NewSecret() }

func hashSecret(secret string) []byte { return mdm.HashSecret(secret) }

// StartSignup begins the sign-up of a new Android enterprise for the tenant and returns
// Google's sign-up page, where an administrator creates the enterprise; Google then
// returns to PathSignupCallback.
func (p *Platform) StartSignup(ctx context.Context, actor string, t mdm.Tenant) (string, error) {
	state := mdm.NewID()
	callback := p.cfg.PublicURL.JoinPath(PathSignupCallback).String() + "?state=" + state
	s, err := p.amapi.CreateSignupURL(ctx, callback)
	if err != nil {
		return "", fmt.Errorf("start Android sign-up: %w", err)
	}
	err = p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		if err := db.Create(&signup{ID: state, TenantID: t.ID, SignupURLName: s.Name, CreatedAt: at}).Error; err != nil {
			return fmt.Errorf("store sign-up: %w", err)
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.AndroidSignupStart, Subject: audit.Tenant.Of(t.ID)})
		return err
	})
	if err != nil {
		return "", err
	}
	return s.Url, nil
}

// signupLifetime bounds how long a sign-up may take.
const signupLifetime = 24 * time.Hour

// CompleteSignup finishes the sign-up that state names with Google's enterprise token:
// the enterprise is created with the notifications on the tenant's default topic, and
// the tenant is bound to it. A sign-up completes once.
func (p *Platform) CompleteSignup(ctx context.Context, state, enterpriseToken string) (Binding, error) {
	s, err := first[signup](ctx, p.db, "id = ?", state)
	if err != nil || time.Since(s.CreatedAt) > signupLifetime {
		return Binding{}, fmt.Errorf("%w: unknown or expired sign-up", mdm.ErrNotFound)
	}
	t, err := p.svc.TenantByID(ctx, s.TenantID)
	if err != nil {
		return Binding{}, err
	}
	topic, err := p.DefaultTopic(t)
	if err != nil {
		return Binding{}, err
	}
	e, err := p.amapi.CreateEnterprise(ctx, s.SignupURLName, enterpriseToken,
		&amapi.Enterprise{PubsubTopic: topic, EnabledNotificationTypes: notificationTypes})
	if err != nil {
		return Binding{}, fmt.Errorf("complete Android sign-up: %w", err)
	}
	if err := p.db.WithContext(ctx).Delete(&signup{ID: s.ID}).Error; err != nil {
		return Binding{}, err
	}
	return p.bound(ctx, "android:signup", t, e.Name, topic)
}
