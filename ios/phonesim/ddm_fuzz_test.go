package phonesim

import (
	"strings"
	"testing"
)

func FuzzDecodeTokens(f *testing.F) {
	f.Add([]byte(`{"SyncTokens":{"DeclarationsToken":"5f3a","Timestamp":"2026-12-06T16:00:00Z"}}`))
	f.Add([]byte(`{"SyncTokens":{}}`))
	f.Add([]byte(`{"SyncTokens":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if token, err := decodeTokens(raw); err == nil && token == "" {
			t.Fatal("an empty declarations token was taken")
		}
	})
}

func FuzzDecodeItems(f *testing.F) {
	f.Add([]byte(`{"Declarations":{"Activations":[{"Identifier":"act","ServerToken":"1"}],"Configurations":[{"Identifier":"cfg","ServerToken":"2"}],
		"Assets":[],"Management":[]},"DeclarationsToken":"t"}`))
	f.Add([]byte(`{"Declarations":{"Configurations":[{"Identifier":"a/b","ServerToken":"2"}]}}`))
	f.Add([]byte(`{"Declarations":{"Assets":[{"Identifier":"x","ServerToken":"1"}],"Management":[{"Identifier":"x","ServerToken":"1"}]}}`))
	f.Add([]byte(`{"Declarations":{"Configurations":[{"Identifier":"","ServerToken":""}]}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		items, err := decodeItems(raw)
		if err != nil {
			return
		}
		if len(items) > maxDeclarations {
			t.Fatalf("%d items taken", len(items))
		}
		seen := map[string]bool{}
		for _, it := range items {
			if it.identifier == "" || it.serverToken == "" || strings.ContainsAny(it.identifier, "/?#") || seen[it.identifier] {
				t.Fatalf("item %+v taken", it)
			}
			seen[it.identifier] = true
		}
	})
}
