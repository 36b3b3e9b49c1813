package android

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
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
	projectIDPattern  = regexp.MustCompile(`^[a-z][-a-z0-9]{4,28}[a-z0-9]$`)
	topicIDPattern    = regexp.MustCompile(`^[A-Za-z][-A-Za-z0-9._~%+]{2,254}$`)
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
		return "", mdm.Refuse("refusal.android.no_project", fmt.Errorf("%w: no Google Cloud project known: name the Pub/Sub topic (projects/P/topics/T)", mdm.ErrInvalid))
	}
	return "projects/" + p.amapi.projectID + "/topics/trennwand-" + t.Name, nil
}

// Bind binds the tenant to an existing Android enterprise: it claims the enterprise for
// the tenant (refused with mdm.ErrConflict, before any call to Google, when another tenant
// holds it), checks that the enterprise exists, turns on the ENROLLMENT, STATUS_REPORT and
// COMMAND notifications on topic, puts the baseline policy in place and stores the binding
// with a new push secret. Binding again (the same or another enterprise) replaces the
// binding and the secret.
func (p *Platform) Bind(ctx context.Context, actor string, t mdm.Tenant, enterpriseName, topic string) (Binding, error) {
	if !enterprisePattern.MatchString(enterpriseName) {
		return Binding{}, mdm.Refuse("refusal.android.enterprise", fmt.Errorf("%w: enterprise %q: write enterprises/ID, as Google names it", mdm.ErrInvalid, enterpriseName),
			"Enterprise", enterpriseName)
	}
	if err := checkTopic(topic); err != nil {
		return Binding{}, err
	}
	return p.bindClaimed(ctx, actor, t, enterpriseName, topic)
}

// bindClaimed claims the enterprise for the tenant, and only then changes it at Google and
// records the binding. A claim whose binding fails is given up again.
func (p *Platform) bindClaimed(ctx context.Context, actor string, t mdm.Tenant, enterpriseName, topic string) (Binding, error) {
	if err := p.claim(ctx, t.ID, enterpriseName); err != nil {
		return Binding{}, err
	}
	b, err := p.bindAtGoogle(ctx, actor, t, enterpriseName, topic)
	if err != nil {
		return Binding{}, errors.Join(err, p.unclaim(ctx, t.ID, enterpriseName))
	}
	return b, nil
}

func (p *Platform) bindAtGoogle(ctx context.Context, actor string, t mdm.Tenant, enterpriseName, topic string) (Binding, error) {
	if _, err := p.amapi.Enterprise(ctx, enterpriseName); err != nil {
		return Binding{}, fmt.Errorf("bind %s: %w", enterpriseName, err)
	}
	_, err := p.amapi.PatchEnterprise(ctx, enterpriseName, "pubsubTopic,enabledNotificationTypes",
		&amapi.Enterprise{PubsubTopic: topic, EnabledNotificationTypes: notificationTypes})
	if err != nil {
		return Binding{}, fmt.Errorf("bind %s: %w", enterpriseName, err)
	}
	if err := p.sendBaseline(ctx, t.ID, enterpriseName); err != nil {
		return Binding{}, fmt.Errorf("bind %s: %w", enterpriseName, err)
	}
	return p.recordBinding(ctx, actor, t, enterpriseName, topic)
}

// enterpriseClaim is the tenant an Android enterprise belongs to.
type enterpriseClaim struct {
	EnterpriseName string `gorm:"primaryKey"`
	TenantID       string
	ClaimedAt      time.Time
}

func (enterpriseClaim) TableName() string { return "android_enterprise_claims" }

// claim reserves the enterprise for the tenant, unless another tenant holds it: one
// insert that only the first tenant wins, then a look at who won.
func (p *Platform) claim(ctx context.Context, tenantID, enterpriseName string) error {
	db := p.db.WithContext(ctx)
	row := enterpriseClaim{EnterpriseName: enterpriseName, TenantID: tenantID, ClaimedAt: now()}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("claim enterprise %s: %w", enterpriseName, err)
	}
	return holdsClaim(db, tenantID, enterpriseName)
}

// holdsClaim is nil when the tenant holds the enterprise's claim, and mdm.ErrConflict
// when another tenant does or none is left.
func holdsClaim(db *gorm.DB, tenantID, enterpriseName string) error {
	var n int64
	err := db.Model(&enterpriseClaim{}).Where("enterprise_name = ? AND tenant_id = ?", enterpriseName, tenantID).Count(&n).Error
	if err != nil {
		return fmt.Errorf("read claim of enterprise %s: %w", enterpriseName, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: the Android enterprise %s belongs to another tenant; nothing was changed", mdm.ErrConflict, enterpriseName)
	}
	return nil
}

// unclaim gives up the tenant's claim of an enterprise it is not bound to.
func (p *Platform) unclaim(ctx context.Context, tenantID, enterpriseName string) error {
	bound := p.db.Model(&enterprise{}).Select("enterprise_name").Where("tenant_id = ?", tenantID)
	err := p.db.WithContext(ctx).Where("enterprise_name = ? AND tenant_id = ? AND enterprise_name NOT IN (?)", enterpriseName, tenantID, bound).
		Delete(&enterpriseClaim{}).Error
	if err != nil {
		return fmt.Errorf("give up claim of enterprise %s: %w", enterpriseName, err)
	}
	return nil
}

// recordBinding stores the binding with a fresh push secret, with its audit event, if the
// tenant still holds the enterprise's claim; the tenant's claims of other enterprises end.
func (p *Platform) recordBinding(ctx context.Context, actor string, t mdm.Tenant, enterpriseName, topic string) (Binding, error) {
	secret, hash := newPushSecret()
	err := p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		if err := holdsClaim(db, t.ID, enterpriseName); err != nil {
			return err
		}
		row := enterprise{TenantID: t.ID, EnterpriseName: enterpriseName, PubsubTopic: topic, PushSecretHash: hash, CreatedAt: at, UpdatedAt: at}
		err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"enterprise_name", "pubsub_topic", "push_secret_hash", "updated_at"})}).Create(&row).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("%w: enterprise %s is bound to another tenant", mdm.ErrConflict, enterpriseName)
		}
		if err != nil {
			return fmt.Errorf("store binding: %w", err)
		}
		if err := db.Where("tenant_id = ? AND enterprise_name <> ?", t.ID, enterpriseName).Delete(&enterpriseClaim{}).Error; err != nil {
			return fmt.Errorf("end earlier claims: %w", err)
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
// the enterprise is created, and the tenant is bound to it like Bind does, with the
// notifications on the tenant's default topic. The enterprise is created without a topic,
// so that nothing of an enterprise that Google hands back and another tenant holds is
// changed. A sign-up completes once.
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
	e, err := p.amapi.CreateEnterprise(ctx, s.SignupURLName, enterpriseToken, &amapi.Enterprise{})
	if err != nil {
		return Binding{}, fmt.Errorf("complete Android sign-up: %w", err)
	}
	if err := p.db.WithContext(ctx).Delete(&signup{ID: s.ID}).Error; err != nil {
		return Binding{}, err
	}
	return p.bindClaimed(ctx, "android:signup", t, e.Name, topic)
}

// checkTopic refuses a Pub/Sub topic name that Google would refuse, saying which part
// breaks which of Google's rules.
func checkTopic(topic string) error {
	rest, ok := strings.CutPrefix(topic, "projects/")
	project, id, ok2 := strings.Cut(rest, "/topics/")
	switch {
	case !ok || !ok2 || strings.Contains(id, "/"):
		return mdm.Refuse("refusal.android.topic", fmt.Errorf("%w: Pub/Sub topic %q: write projects/PROJECT/topics/TOPIC, for example projects/musterstadt-mdm/topics/trennwand-musterstadt", mdm.ErrInvalid, topic),
			"Topic", topic)
	case !projectIDPattern.MatchString(project):
		return mdm.Refuse("refusal.android.project_id", fmt.Errorf("%w: Pub/Sub topic %q: the project ID %q breaks Google's rule: 6 to 30 characters, lower-case letters, digits and hyphens, beginning with a letter and not ending with a hyphen", mdm.ErrInvalid, topic, project),
			"Project", project)
	case !topicIDPattern.MatchString(id) || strings.HasPrefix(strings.ToLower(id), "goog"):
		return mdm.Refuse("refusal.android.topic_id", fmt.Errorf("%w: Pub/Sub topic %q: the topic ID %q breaks Google's rule: 3 to 255 characters, letters, digits and - . _ ~ %% +, beginning with a letter and not with \"goog\"", mdm.ErrInvalid, topic, id),
			"Topic", id)
	}
	return nil
}
