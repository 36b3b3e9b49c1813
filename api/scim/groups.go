package scim

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
)

// Groups are read here as the provisioned people's memberships make them; a group's ID
// is its name, escaped for a path.

// groupID is the ID of the group with the name.
func groupID(name string) string { return url.PathEscape(name) }

// groups returns the groups of the people with their members, by name.
func groups(people []directory.Person) (names []string, members map[string][]directory.Person) {
	members = map[string][]directory.Person{}
	for _, p := range people {
		for _, g := range p.Groups() {
			members[g] = append(members[g], p)
		}
	}
	for g := range members {
		names = append(names, g)
	}
	slices.Sort(names)
	return names, members
}

func groupJSON(name string, members []directory.Person) map[string]any {
	ms := make([]map[string]any, len(members))
	for i, p := range members {
		ms[i] = map[string]any{"value": p.ExternalID, "display": p.UserName, "$ref": Prefix + "/Users/" + p.ExternalID}
	}
	return map[string]any{"schemas": []string{schemaGroup}, "id": groupID(name), "displayName": name, "members": ms,
		"meta": map[string]any{"resourceType": "Group", "location": Prefix + "/Groups/" + groupID(name)}}
}

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request, t mdm.Tenant, _ string) error {
	people, err := h.cfg.Directory.Provisioned(r.Context(), t, "")
	if err != nil {
		return err
	}
	names, members := groups(people)
	out := make([]map[string]any, len(names))
	for i, g := range names {
		out[i] = groupJSON(g, members[g])
	}
	writeJSON(w, http.StatusOK, listOf(out))
	return nil
}

func (h *Handler) getGroup(w http.ResponseWriter, r *http.Request, t mdm.Tenant, _ string) error {
	name := r.PathValue("id")
	people, err := h.cfg.Directory.Provisioned(r.Context(), t, "")
	if err != nil {
		return err
	}
	_, members := groups(people)
	if len(members[name]) == 0 {
		return mdm.ErrNotFound
	}
	writeJSON(w, http.StatusOK, groupJSON(name, members[name]))
	return nil
}
