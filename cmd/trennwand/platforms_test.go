package main

import (
	"testing"
	"time"
)

// platformsSetUp records for the tenant what `apple push-cert upload` and `android bind`
// leave behind — a push certificate and a bound Android enterprise — so that invitations
// for either phone are accepted. The tests that use it are about what comes after; those
// of the set-up itself use the commands.
func (s site) platformsSetUp(t *testing.T, tenant string) {
	t.Helper()
	db := s.store(t).Tables().DB()
	var id string
	if err := db.Raw("SELECT id FROM tenants WHERE name = ?", tenant).Row().Scan(&id); err != nil {
		t.Fatalf("tenant %s: %v", tenant, err)
	}
	now := time.Now().UTC()
	topic := "com.apple.mgmt.test." + tenant
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO ios_push_certs (topic, cert_pem, key_pem, stale_token, updated_at) VALUES (?, ?, ?, 0, ?)", []any{topic, []byte("-"), []byte("-"), now}},
		{"INSERT INTO ios_tenant_push (tenant_id, topic, not_after, updated_at) VALUES (?, ?, ?, ?)", []any{id, topic, now.Add(365 * 24 * time.Hour), now}},
		{"INSERT INTO android_enterprises (tenant_id, enterprise_name, pubsub_topic, push_secret_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			[]any{id, "enterprises/LCtest" + tenant, "projects/trennwand-test/topics/trennwand-" + tenant, []byte("secret-" + tenant), now, now}},
	} {
		if err := db.Exec(q.sql, q.args...).Error; err != nil {
			t.Fatalf("set up the platforms of %s: %v", tenant, err)
		}
	}
}
