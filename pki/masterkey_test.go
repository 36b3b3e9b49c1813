package pki

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// keyText is a master key as an operator writes it: n bytes of value b in base64.
func keyText(b byte, n int) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, n))
}

func mustParseMasterKey(t testing.TB, s string) *MasterKey {
	t.Helper()
	k, err := ParseMasterKey(s)
	if err != nil {
		t.Fatalf("ParseMasterKey: %v", err)
	}
	return k
}

func mustSeal(t testing.TB, k *MasterKey, purpose string, plaintext []byte) []byte {
	t.Helper()
	sealed, err := k.Seal(purpose, plaintext)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return sealed
}

func TestParseMasterKey(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		wantOK bool
	}{
		{"32 bytes", keyText(7, 32), true},
		{"32 bytes with the newline of a key file", "  " + keyText(7, 32) + "\n", true},
		{"empty", "", false},
		{"16 bytes", keyText(7, 16), false},
		{"31 bytes", keyText(7, 31), false},
		{"33 bytes", keyText(7, 33), false},
		{"64 bytes", keyText(7, 64), false},
		{"not base64", "this is not a key at all!", false},
		{"URL-safe alphabet", strings.NewReplacer("+", "-", "/", "_").Replace(keyText(0xfb, 32)), false},
		{"hex instead of base64", strings.Repeat("ab", 32), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseMasterKey(tt.in)
			if tt.wantOK && (err != nil || k == nil) {
				t.Fatalf("ParseMasterKey(%q) = %v, %v; want a key", tt.in, k, err)
			}
			if !tt.wantOK && (err == nil || k != nil) {
				t.Fatalf("ParseMasterKey(%q) = %v, %v; want an error", tt.in, k, err)
			}
		})
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := mustParseMasterKey(t, keyText(1, 32))
	tests := []struct {
		name      string
		purpose   string
		plaintext []byte
	}{
		{"empty", "totp", []byte{}},
		{"a second-factor secret", "totp", []byte("JBSWY3DPEHPK3PXP")},
		{"a CA key", "ca-key", bytes.Repeat([]byte{0x30, 0x82}, 4096)},
		{"no purpose", "", []byte("x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed := mustSeal(t, k, tt.purpose, tt.plaintext)
			if len(tt.plaintext) >= 8 && bytes.Contains(sealed, tt.plaintext) {
				t.Error("sealed value contains the plaintext")
			}
			got, err := k.Open(tt.purpose, sealed)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open = %q, want %q", got, tt.plaintext)
			}
		})
	}
}

func TestSealUsesAFreshNonce(t *testing.T) {
	k := mustParseMasterKey(t, keyText(1, 32))
	a := mustSeal(t, k, "totp", []byte("same secret"))
	b := mustSeal(t, k, "totp", []byte("same secret"))
	if bytes.Equal(a, b) {
		t.Error("two seals of the same plaintext are equal")
	}
}

func TestOpenRefuses(t *testing.T) {
	k := mustParseMasterKey(t, keyText(1, 32))
	other := mustParseMasterKey(t, keyText(2, 32))
	sealed := mustSeal(t, k, "ca-key", []byte("the intermediate's private key"))
	withVersion := func(v byte) []byte {
		b := bytes.Clone(sealed)
		b[0] = v
		return b
	}

	type openCase struct {
		name    string
		key     *MasterKey
		purpose string
		sealed  []byte
	}
	tests := []openCase{
		{"another purpose", k, "apns-key", sealed},
		{"another key", other, "ca-key", sealed},
		{"unknown format version", k, "ca-key", withVersion(2)},
		{"nil", k, "ca-key", nil},
		{"the plaintext itself", k, "ca-key", []byte("the intermediate's private key")},
	}
	for i := range sealed {
		flipped := bytes.Clone(sealed)
		flipped[i] ^= 0x01
		tests = append(tests, openCase{"byte " + strconv.Itoa(i) + " flipped", k, "ca-key", flipped})
	}
	for n := range len(sealed) {
		tests = append(tests, openCase{"cut to " + strconv.Itoa(n) + " bytes", k, "ca-key", sealed[:n]})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.key.Open(tt.purpose, tt.sealed)
			if err == nil || got != nil {
				t.Errorf("Open = %q, %v; want nil and an error", got, err)
			}
		})
	}
}

func TestLoadOrCreateMasterKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")

	first, created, err := LoadOrCreateMasterKeyFile(path)
	if err != nil || !created {
		t.Fatalf("first call = created %v, %v; want a new key", created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat key file: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600", mode)
	}

	second, created, err := LoadOrCreateMasterKeyFile(path)
	if err != nil || created {
		t.Fatalf("second call = created %v, %v; want the existing key", created, err)
	}
	sealed := mustSeal(t, first, "totp", []byte("secret"))
	if got, err := second.Open("totp", sealed); err != nil || string(got) != "secret" {
		t.Errorf("key read back cannot open what the new key sealed: %q, %v", got, err)
	}
}

func TestLoadOrCreateMasterKeyFileRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"garbage", "not a key\n"},
		{"short key", keyText(3, 16) + "\n"},
		{"empty file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			k, created, err := LoadOrCreateMasterKeyFile(path)
			if err == nil || k != nil || created {
				t.Fatalf("LoadOrCreateMasterKeyFile = %v, created %v, %v; want an error", k, created, err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
			if b, _ := os.ReadFile(path); string(b) != tt.content {
				t.Errorf("the bad key file was changed to %q", b)
			}
		})
	}
}

func TestLoadOrCreateMasterKeyFileInMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "master.key")
	if _, _, err := LoadOrCreateMasterKeyFile(path); err == nil {
		t.Fatal("want an error for a key file in a directory that does not exist")
	}
}

// FuzzOpen feeds Open the bytes that storage might hand it. Open must never panic, and
// since a value cannot be forged without the key, whatever opens is the seed's plaintext
// sealed for the seed's purpose.
func FuzzOpen(f *testing.F) {
	const purpose, plaintext = "ca-key", "the intermediate's private key"
	k := mustParseMasterKey(f, keyText(1, 32))
	sealed := mustSeal(f, k, purpose, []byte(plaintext))
	f.Add(purpose, sealed)
	f.Add(purpose, []byte{})
	f.Add(purpose, []byte{masterKeyVersion})
	f.Add(purpose, sealed[:1+12])
	f.Add("apns-key", sealed)
	f.Add(purpose, append([]byte{2}, sealed[1:]...))

	f.Fuzz(func(t *testing.T, p string, data []byte) {
		got, err := k.Open(p, data)
		if err != nil {
			if got != nil {
				t.Errorf("Open failed with %v but returned %q", err, got)
			}
			return
		}
		if p != purpose || string(got) != plaintext {
			t.Errorf("Open(%q, %x) = %q, which was never sealed", p, data, got)
		}
	})
}
