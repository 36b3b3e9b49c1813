package scim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
)

// The schema URNs the endpoint speaks.
const (
	schemaUser     = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaGroup    = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaList     = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaPatch    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	schemaError    = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaSPConfig = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
)

// userBody is a User as a client sends it; attributes the endpoint does not keep are
// ignored, as RFC 7643 allows.
type userBody struct {
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName"`
	Name        struct {
		Formatted  string `json:"formatted"`
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	Emails []struct {
		Value   string `json:"value"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
	Active *flexBool `json:"active"`
}

// flexBool is a boolean as SCIM clients send it: true, or the string "True".
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case bool:
		*b = flexBool(x)
		return nil
	case string:
		p, err := strconv.ParseBool(x)
		if err != nil {
			return badRequest("invalidValue", "active must be true or false")
		}
		*b = flexBool(p)
		return nil
	}
	return badRequest("invalidValue", "active must be true or false")
}

// ParseUser reads a User body into the entry it stands for (the groups come from the
// Groups): the e-mail address is the primary one, else the first, else the userName.
func ParseUser(body []byte) (directory.Entry, error) {
	var u userBody
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&u); err != nil {
		var e *Error
		if asError(err, &e) {
			return directory.Entry{}, e
		}
		return directory.Entry{}, badRequest("invalidSyntax", "the body is not a SCIM User: %v", err)
	}
	if dec.More() {
		return directory.Entry{}, badRequest("invalidSyntax", "the body holds more than one JSON value")
	}
	return u.entry()
}

func (u userBody) entry() (directory.Entry, error) {
	if u.UserName == "" {
		return directory.Entry{}, badRequest("invalidValue", "userName is required")
	}
	e := directory.Entry{UserName: u.UserName, Name: u.DisplayName, Enabled: u.Active == nil || bool(*u.Active)}
	if e.Name == "" {
		e.Name = u.Name.Formatted
	}
	if e.Name == "" && (u.Name.GivenName != "" || u.Name.FamilyName != "") {
		e.Name = u.Name.GivenName + " " + u.Name.FamilyName
	}
	for _, m := range u.Emails {
		if m.Primary || e.Email == "" {
			e.Email = m.Value
		}
	}
	if e.Email == "" {
		e.Email = u.UserName
	}
	return e, nil
}

// userJSON is a stored person as a SCIM User.
func userJSON(p directory.Person) map[string]any {
	groups := []map[string]any{}
	for _, g := range p.Groups() {
		groups = append(groups, map[string]any{"value": groupID(g), "display": g, "$ref": Prefix + "/Groups/" + groupID(g)})
	}
	return map[string]any{
		"schemas": []string{schemaUser}, "id": p.ExternalID, "userName": p.UserName, "displayName": p.Name,
		"name":   map[string]any{"formatted": p.Name},
		"emails": []map[string]any{{"value": p.Email, "primary": true, "type": "work"}},
		"active": p.Enabled && p.LeftAt == nil, "groups": groups,
		"meta": map[string]any{"resourceType": "User", "created": p.CreatedAt.UTC().Format(time.RFC3339),
			"lastModified": p.UpdatedAt.UTC().Format(time.RFC3339), "location": Prefix + "/Users/" + p.ExternalID,
			"version": `W/"` + strconv.FormatInt(p.UpdatedAt.UnixMicro(), 10) + `"`},
	}
}

// entryOf is what a stored person says, for a change that starts from it.
func entryOf(p directory.Person) directory.Entry {
	return directory.Entry{ExternalID: p.ExternalID, UserName: p.UserName, Email: p.Email, Name: p.Name,
		ManagedAppleID: p.ManagedAppleID, Groups: p.Groups(), Enabled: p.Enabled && p.LeftAt == nil}
}

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request, t mdm.Tenant, _ string) error {
	userName := ""
	if f := r.URL.Query().Get("filter"); f != "" {
		var err error
		if userName, err = ParseFilter(f); err != nil {
			return err
		}
	}
	start, count, err := paging(r)
	if err != nil {
		return err
	}
	people, err := h.cfg.Directory.Provisioned(r.Context(), t, userName)
	if err != nil {
		return err
	}
	resources := []map[string]any{}
	for i := start - 1; i < len(people) && len(resources) < count; i++ {
		resources = append(resources, userJSON(people[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"schemas": []string{schemaList}, "totalResults": len(people),
		"startIndex": start, "itemsPerPage": len(resources), "Resources": resources})
	return nil
}

// paging reads startIndex (from 1) and count (at most 1,000, default 100).
func paging(r *http.Request) (start, count int, err error) {
	start, count = 1, 100
	q := r.URL.Query()
	if s := q.Get("startIndex"); s != "" {
		if start, err = strconv.Atoi(s); err != nil || start < 1 {
			return 0, 0, badRequest("invalidValue", "startIndex must be a whole number from 1")
		}
	}
	if s := q.Get("count"); s != "" {
		if count, err = strconv.Atoi(s); err != nil || count < 0 {
			return 0, 0, badRequest("invalidValue", "count must be a whole number from 0")
		}
		count = min(count, 1000)
	}
	return start, count, nil
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, t mdm.Tenant, actor string) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	e, err := ParseUser(body)
	if err != nil {
		return err
	}
	p, err := h.cfg.Directory.Provision(r.Context(), actor, t, "", e)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/Users/"+p.ExternalID)
	writeJSON(w, http.StatusCreated, userJSON(p))
	return nil
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request, t mdm.Tenant, _ string) error {
	p, err := h.cfg.Directory.ProvisionedPerson(r.Context(), t, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userJSON(p))
	return nil
}

func (h *Handler) replaceUser(w http.ResponseWriter, r *http.Request, t mdm.Tenant, actor string) error {
	return h.changeUser(w, r, t, actor, func(old directory.Person, body []byte) (directory.Entry, error) {
		e, err := ParseUser(body)
		e.Groups, e.ManagedAppleID = old.Groups(), old.ManagedAppleID
		return e, err
	})
}

func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request, t mdm.Tenant, actor string) error {
	return h.changeUser(w, r, t, actor, func(old directory.Person, body []byte) (directory.Entry, error) {
		ops, err := ParsePatch(body)
		if err != nil {
			return directory.Entry{}, err
		}
		return ApplyPatch(entryOf(old), ops)
	})
}

// changeUser provisions the user of the path as change makes them from the stored
// person and the body, and answers them as they now are.
func (h *Handler) changeUser(w http.ResponseWriter, r *http.Request, t mdm.Tenant, actor string,
	change func(old directory.Person, body []byte) (directory.Entry, error)) error {
	old, err := h.cfg.Directory.ProvisionedPerson(r.Context(), t, r.PathValue("id"))
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	e, err := change(old, body)
	if err != nil {
		return err
	}
	p, err := h.cfg.Directory.Provision(r.Context(), actor, t, old.ExternalID, e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userJSON(p))
	return nil
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, t mdm.Tenant, actor string) error {
	if err := h.cfg.Directory.Deprovision(r.Context(), actor, t, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
