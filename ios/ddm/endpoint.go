package ddm

import (
	"errors"
	"fmt"
	"strings"

	kddm "github.com/jessepeterson/kmfddm/ddm"
)

// EndpointKind is what a DeclarativeManagement check-in asks for.
type EndpointKind int

// The endpoints of the DeclarativeManagement check-in.
const (
	EndpointTokens EndpointKind = iota + 1
	EndpointItems
	EndpointDeclaration
	EndpointStatus
)

// Endpoint is a parsed DeclarativeManagement endpoint: its kind and, for a declaration,
// the manifest type and identifier it names.
type Endpoint struct {
	Kind         EndpointKind
	ManifestType string
	Identifier   string
}

// maxIdentifier bounds an identifier in a path; ours are far shorter.
const maxIdentifier = 512

// ErrEndpoint refuses an endpoint the server does not serve.
var ErrEndpoint = errors.New("unknown declarative management endpoint")

// ParseEndpoint reads the Endpoint key of a DeclarativeManagement check-in: "tokens",
// "declaration-items", "status" or "declaration/<type>/<identifier>".
func ParseEndpoint(s string) (Endpoint, error) {
	switch s {
	case "tokens":
		return Endpoint{Kind: EndpointTokens}, nil
	case "declaration-items":
		return Endpoint{Kind: EndpointItems}, nil
	case "status":
		return Endpoint{Kind: EndpointStatus}, nil
	}
	rest, ok := strings.CutPrefix(s, "declaration/")
	if !ok {
		return Endpoint{}, fmt.Errorf("%w: %.64q", ErrEndpoint, s)
	}
	typ, id, err := kddm.ParseDeclarationPath(rest)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%w: %v", ErrEndpoint, err)
	}
	switch typ {
	case "activation", "asset", "configuration", "management":
	default:
		return Endpoint{}, fmt.Errorf("%w: declaration type %.64q", ErrEndpoint, typ)
	}
	if len(id) > maxIdentifier || strings.ContainsAny(id, "/\x00") {
		return Endpoint{}, fmt.Errorf("%w: declaration identifier %.64q", ErrEndpoint, id)
	}
	return Endpoint{Kind: EndpointDeclaration, ManifestType: typ, Identifier: id}, nil
}
