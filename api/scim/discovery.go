package scim

import (
	"net/http"
)

// The discovery documents (RFC 7644, section 4): what the endpoint supports, its two
// resource types and their schemas, with the attributes it keeps.

func (h *Handler) serviceProviderConfig(w http.ResponseWriter, _ *http.Request) {
	no := map[string]any{"supported": false}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas": []string{schemaSPConfig}, "documentationUri": "https://github.com/trennwand/trennwand/blob/main/docs/directory.md",
		"patch": map[string]any{"supported": true}, "bulk": map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter": map[string]any{"supported": true, "maxResults": 1000}, "changePassword": no, "sort": no, "etag": no,
		"authenticationSchemes": []map[string]any{{"type": "oauthbearertoken", "name": "API token",
			"description": "an API token of the role scim: trennwand token create --role scim", "primary": true}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": Prefix + "/ServiceProviderConfig"},
	})
}

func (h *Handler) resourceTypes(w http.ResponseWriter, _ *http.Request) {
	types := []map[string]any{
		{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "User", "name": "User",
			"endpoint": "/Users", "schema": schemaUser, "meta": map[string]any{"resourceType": "ResourceType", "location": Prefix + "/ResourceTypes/User"}},
		{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "Group", "name": "Group",
			"endpoint": "/Groups", "schema": schemaGroup, "meta": map[string]any{"resourceType": "ResourceType", "location": Prefix + "/ResourceTypes/Group"}},
	}
	writeJSON(w, http.StatusOK, listOf(types))
}

func (h *Handler) schemas(w http.ResponseWriter, _ *http.Request) {
	attr := func(name, typ string, required bool, mutability string) map[string]any {
		return map[string]any{"name": name, "type": typ, "multiValued": false, "required": required, "caseExact": false,
			"mutability": mutability, "returned": "default", "uniqueness": "none"}
	}
	userName := attr("userName", "string", true, "readWrite")
	userName["uniqueness"] = "server"
	emails := attr("emails", "complex", false, "readWrite")
	emails["multiValued"] = true
	emails["subAttributes"] = []map[string]any{attr("value", "string", false, "readWrite"), attr("primary", "boolean", false, "readWrite")}
	groups := attr("groups", "complex", false, "readOnly")
	groups["multiValued"] = true
	members := attr("members", "complex", false, "readOnly")
	members["multiValued"] = true
	schemas := []map[string]any{
		{"id": schemaUser, "name": "User", "description": "An employee",
			"attributes": []map[string]any{userName, attr("displayName", "string", false, "readWrite"), emails,
				attr("active", "boolean", false, "readWrite"), groups},
			"meta": map[string]any{"resourceType": "Schema", "location": Prefix + "/Schemas/" + schemaUser}},
		{"id": schemaGroup, "name": "Group", "description": "A group of employees, as their memberships name it",
			"attributes": []map[string]any{attr("displayName", "string", true, "readOnly"), members},
			"meta":       map[string]any{"resourceType": "Schema", "location": Prefix + "/Schemas/" + schemaGroup}},
	}
	writeJSON(w, http.StatusOK, listOf(schemas))
}

func listOf(resources []map[string]any) map[string]any {
	return map[string]any{"schemas": []string{schemaList}, "totalResults": len(resources), "startIndex": 1,
		"itemsPerPage": len(resources), "Resources": resources}
}
