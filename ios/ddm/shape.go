package ddm

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
)

// shapeReference is the policy whose set stands for every set the code builds: it has
// one declaration of each kind a set may hold, so that whatever the code changes in any of
// them changes its token.
var shapeReference = Policy{
	PasscodeRequired: true,
	Apps:             []string{"com.example.reference"},
	Mail: &Mail{
		Account:     mdm.MailAccount{Kind: mdm.MailExchange, Name: "Work", Host: "mail.example.com"},
		FullName:    "Reference",
		Email:       "reference@example.com",
		IdentityURL: "https://mdm.example.com/identity",
	},
}

// Shape is the fingerprint of what the code puts in a declaration set: the token of the
// reference policy's set. It changes with a release that changes what sets contain (a
// status item more, a declaration's payload), and never otherwise.
func Shape() (string, error) {
	s, err := Build(shapeReference)
	if err != nil {
		return "", fmt.Errorf("reference declaration set: %w", err)
	}
	return s.Token, nil
}

// PolicyRef is a work policy of a tenant.
type PolicyRef struct {
	TenantID string
	PolicyID string
}

// FollowedPolicies returns the work policies that the active, declaratively managed devices
// of all tenants follow, each once, in the order of tenant and policy.
func FollowedPolicies(ctx context.Context, db *gorm.DB) ([]PolicyRef, error) {
	var out []PolicyRef
	err := db.WithContext(ctx).Table("ios_ddm_enrolments AS e").
		Select("DISTINCT d.tenant_id AS tenant_id, d.work_policy_id AS policy_id").
		Joins("JOIN devices AS d ON d.tenant_id = e.tenant_id AND d.id = e.device_id").
		Where("d.state = ? AND d.work_policy_id IS NOT NULL", mdm.DeviceActive).
		Order("d.tenant_id, d.work_policy_id").
		Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read the policies of declaratively managed devices: %w", err)
	}
	return out, nil
}
