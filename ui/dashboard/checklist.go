package dashboard

import (
	"context"
	"errors"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// checkItem is one step of a new tenant's set-up, as the overview lists it: its message
// ID, whether it is done, and where to do it.
type checkItem struct {
	Key  string
	Done bool
	Link string
}

// checklist is a new tenant's set-up, in the order an administrator goes through it; nil
// once every step is done, so that the overview stops showing it.
func (d *Dashboard) checklist(ctx context.Context, t mdm.Tenant) ([]checkItem, error) {
	apple, err := d.setUp(ctx, t, mdm.PlatformIOS)
	if err != nil {
		return nil, err
	}
	android, err := d.setUp(ctx, t, mdm.PlatformAndroid)
	if err != nil {
		return nil, err
	}
	token := false
	if d.cfg.Licensing != nil {
		_, err := d.cfg.Licensing.LicenceToken(ctx, t.ID)
		if err != nil && !errors.Is(err, mdm.ErrNotFound) {
			return nil, err
		}
		token = err == nil
	}
	policies, err := d.svc.WorkPolicy.WorkPolicies(ctx, t)
	if err != nil {
		return nil, err
	}
	invitations, err := d.svc.Enrolment.InvitationPage(ctx, t, enrolment.InvitationQuery{Page: mdm.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	items := []checkItem{
		{Key: "push_certificate", Done: apple, Link: Prefix + "/settings#apple"},
		{Key: "android", Done: android, Link: Prefix + "/settings#android"},
		{Key: "vpp_token", Done: token, Link: Prefix + "/apple/vpp"},
		{Key: "policy", Done: len(policies) > 0, Link: Prefix + "/policies"},
		{Key: "contacts", Done: t.PrivacyContact != "", Link: Prefix + "/settings#contacts"},
		{Key: "invitation", Done: len(invitations) > 0, Link: Prefix + "/invitations"},
	}
	for _, it := range items {
		if !it.Done {
			return items, nil
		}
	}
	return nil, nil
}

// setUp reports whether the tenant has set up the platform, as invitations ask it.
func (d *Dashboard) setUp(ctx context.Context, t mdm.Tenant, p mdm.Platform) (bool, error) {
	err := d.svc.Enrolment.PlatformSetUp(ctx, t, p)
	var notSetUp *mdm.NotSetUpError
	if errors.As(err, &notSetUp) {
		return false, nil
	}
	return err == nil, err
}
