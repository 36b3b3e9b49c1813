// Package ddmschema checks Declarative Device Management declarations, credential
// documents and status items against Apple's published schema, as an iPhone or iPad on
// User Enrolment would take them: Check refuses an unknown declaration type, a missing
// required key, a value of the wrong type or outside its allowed values, an unknown key, and
// a type or key that iOS or User Enrolment does not allow; StatusItemAllowed says which
// status items a server may subscribe to on a User Enrolment. The server checks what it
// serves, and the phone simulator (ios/phonesim) checks what it receives, with the same
// facts.
//
// The facts (facts.go) are generated from Apple's YAML in github.com/apple/device-management
// (folder declarative/); the file's header names the commit. To bring them up to date,
// clone that repository and run, in this folder,
//
//	APPLE_DEVICE_MANAGEMENT=/path/to/device-management go generate
//
// which runs ./internal/gen; it reads the checkout's commit with git (a copy without git
// metadata takes it as -commit, running the generator by hand). Review the diff of facts.go
// like any change of rules: a declaration or status item newly refused in User Enrolment
// changes what the server may send.
package ddmschema

//go:generate go run ./internal/gen -apple ${APPLE_DEVICE_MANAGEMENT} -out facts.go
