package android

import (
	"context"
	"fmt"
	"strings"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/workpolicy"
)

// AppSchema returns the managed properties that the app declares in Google Play, for an
// editor of its managed configuration. ErrNotBound when the tenant has no enterprise;
// mdm.ErrNotFound when Google Play has no such app for it.
func (p *Platform) AppSchema(ctx context.Context, t mdm.Tenant, appID string) ([]workpolicy.ConfigProperty, error) {
	props, err := p.appProperties(ctx, t, appID)
	if err != nil {
		return nil, err
	}
	return configProperties(props), nil
}

// CheckManagedConfig checks a managed configuration against the app's managed
// properties, with the rule that is applied when the work policy is sent to Google.
func (p *Platform) CheckManagedConfig(ctx context.Context, t mdm.Tenant, appID string, config mdm.JSONObject) error {
	props, err := p.appProperties(ctx, t, appID)
	if err != nil {
		return err
	}
	return checkManagedConfig(appID, []byte(config), props)
}

func (p *Platform) appProperties(ctx context.Context, t mdm.Tenant, appID string) ([]*amapi.ManagedProperty, error) {
	app, err := p.application(ctx, t, appID)
	if err != nil {
		return nil, err
	}
	return app.ManagedProperties, nil
}

// PlayApp is an app as Google Play names it.
type PlayApp struct {
	PackageName, Title string
}

// PlayApp looks the app up in Google Play for the tenant's enterprise: ErrNotBound when
// the tenant has none, mdm.ErrNotFound when Google Play has no such app for it.
func (p *Platform) PlayApp(ctx context.Context, t mdm.Tenant, appID string) (PlayApp, error) {
	app, err := p.application(ctx, t, appID)
	if err != nil {
		return PlayApp{}, err
	}
	return PlayApp{PackageName: appID, Title: app.Title}, nil
}

// application is what Google Play knows of the app for the tenant's own enterprise.
func (p *Platform) application(ctx context.Context, t mdm.Tenant, appID string) (*amapi.Application, error) {
	e, err := p.binding(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	app, err := p.amapi.Application(ctx, e.EnterpriseName, appID)
	if NotFound(err) {
		return nil, fmt.Errorf("%w: app %s is not in Google Play for this enterprise", mdm.ErrNotFound, appID)
	}
	if err != nil {
		return nil, fmt.Errorf("app %s in Google Play: %w", appID, err)
	}
	return app, nil
}

// configProperties translates Google's managed properties into the domain's. For a
// bundle array Google nests one bundle that describes each element; the domain names that
// bundle's properties directly.
func configProperties(props []*amapi.ManagedProperty) []workpolicy.ConfigProperty {
	out := make([]workpolicy.ConfigProperty, 0, len(props))
	for _, p := range props {
		c := workpolicy.ConfigProperty{Key: p.Key, Type: workpolicy.ConfigType(strings.ToLower(p.Type)), Title: p.Title, Description: p.Description}
		for _, e := range p.Entries {
			c.Entries = append(c.Entries, workpolicy.ConfigEntry{Value: e.Value, Name: e.Name})
		}
		nested := p.NestedProperties
		if p.Type == "BUNDLE_ARRAY" {
			nested = nil
			if len(p.NestedProperties) == 1 && p.NestedProperties[0].Type == "BUNDLE" {
				nested = p.NestedProperties[0].NestedProperties
			}
		}
		c.Nested = configProperties(nested)
		out = append(out, c)
	}
	return out
}
