package android_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/url"
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// A service-account key file is accepted without calling Google, and its project names
// the default Pub/Sub topic; anything else is refused with a message that says what is
// expected, and so is a configuration without credentials or endpoint.
func TestClientConfiguration(t *testing.T) {
	ctx := context.Background()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	sa, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "musterstadt-mdm", "private_key_id": "1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": "trennwand@musterstadt-mdm.iam.gserviceaccount.com", "client_id": "1",
		"token_uri": "https://oauth2.googleapis.com/token",
	})
	client, err := android.NewClient(ctx, android.ClientConfig{CredentialsJSON: sa})
	if err != nil {
		t.Fatalf("service-account key: %v", err)
	}
	public, _ := url.Parse("https://mdm.musterstadt.example")
	p := android.New(nil, store.Tables{}, client, android.Config{PublicURL: public})
	topic, err := p.DefaultTopic(mdm.Tenant{Name: "musterstadt"})
	if err != nil || topic != "projects/musterstadt-mdm/topics/trennwand-musterstadt" {
		t.Errorf("default topic: %q, %v", topic, err)
	}

	for name, cfg := range map[string]android.ClientConfig{
		"not a service account": {CredentialsJSON: []byte(`{"type":"authorized_user"}`)},
		"not JSON":              {CredentialsJSON: []byte(`key`)},
		"nothing":               {},
	} {
		if _, err := android.NewClient(ctx, cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
