package access_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// softKey is an authenticator in software, as a browser would hand its answers over:
// one P-256 credential, "none" attestation, a sign counter it counts up itself.
type softKey struct {
	t       testing.TB
	rpID    string
	origin  string
	id      []byte
	key     *ecdsa.PrivateKey
	counter uint32
	userID  []byte
}

func newSoftKey(t testing.TB, rpID, origin string) *softKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &softKey{t: t, rpID: rpID, origin: origin, id: id, key: key}
}

// options is the part of the server's options a key reads.
type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		User      struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func readOptions(t testing.TB, v any) options {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var o options
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

var b64 = base64.RawURLEncoding

func (k *softKey) clientData(kind, challenge string) []byte {
	raw, _ := json.Marshal(map[string]any{"type": kind, "challenge": challenge, "origin": k.origin, "crossOrigin": false})
	return raw
}

// authData is the authenticator data with the flags given (user present and verified
// unless told otherwise) and the counter.
func (k *softKey) authData(flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(k.rpID))
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, k.counter)
	return append(out, attested...)
}

// create answers a registration's options as navigator.credentials.create would.
func (k *softKey) create(opts any) string {
	k.t.Helper()
	o := readOptions(k.t, opts)
	uid, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		k.t.Fatal(err)
	}
	k.userID = uid
	point, err := k.key.PublicKey.Bytes() // 0x04 ‖ x ‖ y
	if err != nil {
		k.t.Fatal(err)
	}
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: point[1:33], -3: point[33:]})
	if err != nil {
		k.t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID of a key that names no model
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(k.id)))
	attested = append(append(attested, k.id...), cose...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(0x45, attested)})
	if err != nil {
		k.t.Fatal(err)
	}
	return k.credential(map[string]any{"clientDataJSON": b64.EncodeToString(k.clientData("webauthn.create", o.PublicKey.Challenge)),
		"attestationObject": b64.EncodeToString(att), "transports": []string{"internal"}})
}

// get answers a check's options as navigator.credentials.get would, counting up.
func (k *softKey) get(opts any) string {
	k.t.Helper()
	k.counter++
	return k.getAt(opts, k.counter)
}

// getAt answers with the counter given, as a copy of the key would that counts on its own.
func (k *softKey) getAt(opts any, counter uint32) string {
	k.t.Helper()
	o := readOptions(k.t, opts)
	saved := k.counter
	k.counter = counter
	auth := k.authData(0x05, nil)
	k.counter = saved
	cd := k.clientData("webauthn.get", o.PublicKey.Challenge)
	h := sha256.Sum256(cd)
	sig, err := ecdsa.SignASN1(rand.Reader, k.key, sha256Sum(append(append([]byte{}, auth...), h[:]...)))
	if err != nil {
		k.t.Fatal(err)
	}
	return k.credential(map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(auth),
		"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(k.userID)})
}

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

func (k *softKey) credential(response map[string]any) string {
	raw, err := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id),
		"type": "public-key", "response": response, "clientExtensionResults": map[string]any{}})
	if err != nil {
		k.t.Fatal(err)
	}
	return string(raw)
}
