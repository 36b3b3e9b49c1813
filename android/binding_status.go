package android

import "context"

// CurrentBinding returns the tenant's Android enterprise and Pub/Sub topic; the push URL
// is not among them, since only its secret's hash is kept. ErrNotBound when the tenant has
// none.
func (p *Platform) CurrentBinding(ctx context.Context, tenantID string) (Binding, error) {
	e, err := p.binding(ctx, tenantID)
	if err != nil {
		return Binding{}, err
	}
	return Binding{Enterprise: e.EnterpriseName, Topic: e.PubsubTopic}, nil
}
