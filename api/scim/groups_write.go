package scim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
)

// GroupChange is what a request does to a group: its name (renamed when it differs from
// the group's), and the members added and removed (or, with Replace, the members it has).
type GroupChange struct {
	Name    string
	Add     []string
	Remove  []string
	Replace bool
}

type memberRef struct {
	Value string `json:"value"`
}

// ParseGroup reads a Group body (POST): its displayName and members.
func ParseGroup(body []byte) (GroupChange, error) {
	var g struct {
		DisplayName string      `json:"displayName"`
		Members     []memberRef `json:"members"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&g); err != nil || dec.More() {
		return GroupChange{}, badRequest("invalidSyntax", "the body is not a SCIM Group")
	}
	if strings.TrimSpace(g.DisplayName) == "" {
		return GroupChange{}, badRequest("invalidValue", "displayName is required")
	}
	c := GroupChange{Name: strings.TrimSpace(g.DisplayName), Replace: true}
	for _, m := range g.Members {
		c.Add = append(c.Add, m.Value)
	}
	return c, nil
}

// ParseGroupPatch reads a PATCH of the group named name: members added, removed
// (by a list or by the path members[value eq "ID"]) or replaced, and displayName.
func ParseGroupPatch(name string, body []byte) (GroupChange, error) {
	ops, err := ParsePatch(body)
	if err != nil {
		return GroupChange{}, err
	}
	c := GroupChange{Name: name}
	for _, op := range ops {
		path := strings.ToLower(op.Path)
		if path == "" {
			var attrs struct {
				DisplayName *string     `json:"displayName"`
				Members     []memberRef `json:"members"`
			}
			if err := json.Unmarshal(op.Value, &attrs); err != nil {
				return c, badRequest("invalidValue", "an operation without a path needs an object of attributes")
			}
			if attrs.DisplayName != nil {
				c.Name = strings.TrimSpace(*attrs.DisplayName)
			}
			c.Replace, c.Add = c.Replace || op.Op == "replace", append(c.Add, refs(attrs.Members)...)
			continue
		}
		switch {
		case path == "displayname" && op.Op != "remove":
			if err := stringValue(op.Value, &c.Name, "displayName"); err != nil {
				return c, err
			}
			c.Name = strings.TrimSpace(c.Name)
		case path == "members":
			var ms []memberRef
			if len(op.Value) > 0 {
				if err := json.Unmarshal(op.Value, &ms); err != nil {
					return c, badRequest("invalidValue", "members must be a list of {\"value\": ID}")
				}
			}
			switch op.Op {
			case "add":
				c.Add = append(c.Add, refs(ms)...)
			case "replace":
				c.Replace, c.Add = true, refs(ms)
			case "remove":
				if len(ms) == 0 {
					c.Replace, c.Add = true, nil
				}
				c.Remove = append(c.Remove, refs(ms)...)
			}
		case strings.HasPrefix(path, "members[value eq ") && strings.HasSuffix(path, "]") && op.Op == "remove":
			id, err := ParseFilter("userName eq " + op.Path[len("members[value eq "):len(op.Path)-1])
			if err != nil {
				return c, badRequest("invalidFilter", "write members[value eq \"ID\"]")
			}
			c.Remove = append(c.Remove, id)
		default:
			return c, badRequest("invalidPath", "a group's %q cannot be changed here", op.Path)
		}
	}
	if c.Name == "" || strings.ContainsAny(c.Name, "\r\n") || len(c.Name) > 1024 {
		return c, badRequest("invalidValue", "displayName must be one line of 1 to 1,024 characters")
	}
	return c, nil
}

func refs(ms []memberRef) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Value
	}
	return out
}

// changeGroup carries out a group change on the members it concerns: every member it
// names must be a provisioned person, else nothing changes. Each member's change is then
// applied as a sync applies one person's.
func (h *Handler) changeGroup(r *http.Request, t mdm.Tenant, actor, old string, c GroupChange) error {
	people, err := h.cfg.Directory.Provisioned(r.Context(), t, "")
	if err != nil {
		return err
	}
	byID := make(map[string]directory.Person, len(people))
	for _, p := range people {
		byID[p.ExternalID] = p
	}
	for _, id := range append(slices.Clone(c.Add), c.Remove...) {
		if _, ok := byID[id]; !ok {
			return badRequest("invalidValue", "member %q is no provisioned user", id)
		}
	}
	for _, p := range people {
		groups := p.Groups()
		had := slices.Contains(groups, old)
		want := (had && !c.Replace) || slices.Contains(c.Add, p.ExternalID)
		if slices.Contains(c.Remove, p.ExternalID) {
			want = false
		}
		next := slices.DeleteFunc(slices.Clone(groups), func(g string) bool { return g == old || g == c.Name })
		if want {
			next = append(next, c.Name)
		}
		slices.Sort(next)
		if slices.Equal(next, groups) {
			continue
		}
		e := entryOf(p)
		e.Groups = next
		if _, err := h.cfg.Directory.Provision(r.Context(), actor, t, p.ExternalID, e); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request, t mdm.Tenant, actor string) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	c, err := ParseGroup(body)
	if err != nil {
		return err
	}
	if err := h.changeGroup(r, t, actor, c.Name, c); err != nil {
		return err
	}
	return h.writeGroup(w, r, t, c.Name, http.StatusCreated)
}

func (h *Handler) patchGroup(w http.ResponseWriter, r *http.Request, t mdm.Tenant, actor string) error {
	name := r.PathValue("id")
	body, err := readBody(r)
	if err != nil {
		return err
	}
	c, err := ParseGroupPatch(name, body)
	if err != nil {
		return err
	}
	if err := h.changeGroup(r, t, actor, name, c); err != nil {
		return err
	}
	return h.writeGroup(w, r, t, c.Name, http.StatusOK)
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request, t mdm.Tenant, actor string) error {
	name := r.PathValue("id")
	if err := h.changeGroup(r, t, actor, name, GroupChange{Name: name, Replace: true}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeGroup answers the group as it now is (without members while it has none).
func (h *Handler) writeGroup(w http.ResponseWriter, r *http.Request, t mdm.Tenant, name string, status int) error {
	people, err := h.cfg.Directory.Provisioned(r.Context(), t, "")
	if err != nil {
		return err
	}
	_, members := groups(people)
	w.Header().Set("Location", Prefix+"/Groups/"+groupID(name))
	writeJSON(w, status, groupJSON(name, members[name]))
	return nil
}
