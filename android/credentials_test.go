package android_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/android"
)

// The service-account key is read once from its file and kept sealed: later starts
// without the file use it, and the database never holds the key in the clear.
func TestCredentialsAreSealed(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		key := []byte(`{"type":"service_account","project_id":"p","private_key":"-----BEGIN PRIVATE KEY-----SECRETKEYMATERIAL"}`)
		sealer := sealWithNot{}
		if got, err := android.Credentials(ctx, s.st.Tables().DB(), sealer, nil); err != nil || got != nil {
			t.Fatalf("before any key: %q, %v", got, err)
		}
		if _, err := android.Credentials(ctx, s.st.Tables().DB(), sealer, key); err != nil {
			t.Fatal(err)
		}
		got, err := android.Credentials(ctx, s.st.Tables().DB(), sealer, nil)
		if err != nil || string(got) != string(key) {
			t.Fatalf("kept key: %q, %v", got, err)
		}
		if strings.Contains(dumpDatabase(t, s), "SECRETKEYMATERIAL") {
			t.Error("the key is in the database in the clear")
		}
	})
}

// sealWithNot "seals" by inverting every byte: enough to see that nothing is stored as
// it came.
type sealWithNot struct{}

func (sealWithNot) Seal(purpose string, plaintext []byte) ([]byte, error) {
	out := []byte(purpose + "|")
	for _, b := range plaintext {
		out = append(out, ^b)
	}
	return out, nil
}

func (sealWithNot) Open(purpose string, sealed []byte) ([]byte, error) {
	rest := sealed[len(purpose)+1:]
	out := make([]byte, len(rest))
	for i, b := range rest {
		out[i] = ^b
	}
	return out, nil
}
