package ddmschema

import "slices"

// valueType is the type of a key's value, after Apple's type names (<string>, <integer>…).
type valueType int

const (
	typeAny valueType = iota
	typeString
	typeInteger
	typeReal
	typeBoolean
	typeArray
	typeDictionary
	typeData
	typeDate
)

// String is Apple's name of the type.
func (t valueType) String() string {
	switch t {
	case typeString:
		return "string"
	case typeInteger:
		return "integer"
	case typeReal:
		return "real"
	case typeBoolean:
		return "boolean"
	case typeArray:
		return "array"
	case typeDictionary:
		return "dictionary"
	case typeData:
		return "data"
	case typeDate:
		return "date"
	}
	return "any"
}

// support is what iOS says of an item: the version that introduced it (empty when iOS does
// not have it) and whether User Enrolment allows it.
type support struct {
	Introduced    string
	UserEnrolment bool
}

// schema is one declaration type, credential type or status item.
type schema struct {
	Kind string
	IOS  support
	// Other describes keys beyond the named ones; nil when there may be none.
	Other *key
	Keys  []key
}

// key is one key of a payload with everything a check needs to know of it.
type key struct {
	Name     string
	Type     valueType
	Required bool
	// NotOnIOS marks a key Apple lists as not available on iOS.
	NotOnIOS bool
	// NotInUserEnrolment marks a key whose enrolment types leave out User Enrolment.
	NotInUserEnrolment bool
	// Strings and Numbers are the allowed values (Apple's rangelist); empty: any.
	Strings []string
	Numbers []float64
	// Min and Max bound a number (Apple's range); nil: unbounded.
	Min, Max *float64
	// MinItems and MaxItems bound the length of an array; 0: unbounded.
	MinItems, MaxItems int
	// Other describes a dictionary's keys beyond the named ones; nil when there may be none.
	Other *key
	// Items describes the elements of an array; nil: any.
	Items *key
	// Keys are a dictionary's named keys.
	Keys []key
}

// takes says whether iOS has the item and, when userEnrolment is set, User Enrolment
// allows it.
func (s *schema) takes(userEnrolment bool) bool {
	return s.IOS.Introduced != "" && (s.IOS.UserEnrolment || !userEnrolment)
}

// bound makes a range bound of the facts file.
func bound(v float64) *float64 { return &v }

// Info is what Apple's schema says of a declaration type on iOS.
type Info struct {
	// Kind is "configuration", "asset", "activation" or "management": the part of the
	// declaration-items answer, and of the declaration/<kind>/<identifier> path, it belongs to.
	Kind string
	// IOSIntroduced is the iOS version that introduced the type; empty when iOS does not
	// have it.
	IOSIntroduced string
	// UserEnrolment says whether a User Enrolment may receive the type.
	UserEnrolment bool
}

// Describe returns what Apple's schema says of a declaration type, false for a type it
// does not know.
func Describe(declarationType string) (Info, bool) {
	s, ok := declarations[declarationType]
	if !ok {
		return Info{}, false
	}
	return Info{Kind: s.Kind, IOSIntroduced: s.IOS.Introduced, UserEnrolment: s.IOS.UserEnrolment}, true
}

// StatusItemAllowed says whether an iPhone or iPad reports the status item: Apple knows it
// on iOS and, for a User Enrolment, allows it there. A server subscribes to no other.
func StatusItemAllowed(name string, userEnrolment bool) bool {
	s, ok := statusItems[name]
	return ok && s.takes(userEnrolment)
}

// DeclarationTypes returns, sorted, every declaration type iOS takes — on a User Enrolment
// when userEnrolment is set.
func DeclarationTypes(userEnrolment bool) []string { return names(declarations, userEnrolment) }

// StatusItems returns, sorted, every status item an iPhone or iPad reports — on a User
// Enrolment when userEnrolment is set.
func StatusItems(userEnrolment bool) []string { return names(statusItems, userEnrolment) }

func names(table map[string]*schema, userEnrolment bool) []string {
	var out []string
	for name, s := range table {
		if s.takes(userEnrolment) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
