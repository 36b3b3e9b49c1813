package mdm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// Notice is the plain-language privacy notice an employee reads on the portal before any
// step of an enrolment: what the employer can see, cannot see, can do and cannot do with
// the work container on a phone of the platform and the ownership. Its items are tied to
// the code that keeps the promises (the device fields the server stores, the command
// kinds it may send to a phone of that ownership), and its tests tie it to the privacy
// rules, so that neither can change without the other.
type Notice struct {
	Platform  Platform
	Ownership Ownership
	Version   string
	CanSee    []NoticeItem
	CannotSee []NoticeItem
	CanDo     []NoticeItem
	CannotDo  []NoticeItem
}

// NoticeItem is one statement of the notice.
type NoticeItem struct {
	// ID names the statement for tests and translations, as "section.what".
	ID   string
	Text NoticeText
	// DeviceFields are the fields of Device whose content the statement discloses; in a
	// statement of what cannot be seen, the fields it promises stay empty.
	DeviceFields []string
	// Commands are the command kinds the statement discloses; in a statement of what
	// cannot be done, the kinds it promises are never sent.
	Commands []CommandKind
	// StatusItems are the status items of Apple's declarative device management the
	// statement discloses: a phone is asked to report no other (ios/ddm's tests).
	StatusItems []string
}

// NoticeText is one statement in the portal's languages.
type NoticeText struct{ DE, EN string }

// In returns the text in the language ("de" or "en"); German for any other.
func (t NoticeText) In(lang string) string {
	if lang == "en" {
		return t.EN
	}
	return t.DE
}

// PrivacyNotice returns the notice for a phone of the platform (ios or android) and the
// ownership: on the employer's phone it says what the employer may see and do besides
// (its hardware identifiers, a full wipe, locking it), and what stays private all the
// same.
func PrivacyNotice(p Platform, o Ownership) (Notice, error) {
	if _, err := ParsePlatform(string(p)); err != nil {
		return Notice{}, err
	}
	o, err := ParseOwnership(string(o))
	if err != nil {
		return Notice{}, err
	}
	n := noticeOf(p, o)
	n.Version = NoticeVersion()
	return n, nil
}

// noticeOf puts the notice for the platform and the ownership together.
func noticeOf(p Platform, o Ownership) Notice {
	n := Notice{
		Platform:  p,
		Ownership: o,
		CanSee:    slices.Concat(noticeCanSee, noticeCanSeeOn[p]),
		CannotSee: noticeCannotSee,
		CanDo:     slices.Concat(noticeCanDo, noticeCanDoOn[p]),
		CannotDo:  noticeCannotDo,
	}
	if !o.Company() {
		return n
	}
	n.CanSee = slices.Concat(n.CanSee, noticeCompanyCanSee)
	n.CanDo = slices.Concat(n.CanDo, noticeCompanyCanDoOn[p])
	n.CannotSee = slices.DeleteFunc(slices.Clone(noticeCannotSee), func(it NoticeItem) bool { return it.ID == "cannot_see.hardware_ids" })
	// The statements that read otherwise on the employer's phone are replaced first, so
	// that what stays true of them (an iPhone in lost mode is still never located) is
	// kept; then a promise never to do something goes where the employer's phone may be
	// asked for it.
	n.CannotDo = slices.Clone(noticeCannotDo)
	for i, it := range n.CannotDo {
		if other, ok := noticeCompanyCannotDoOn[p][it.ID]; ok {
			n.CannotDo[i] = other
		}
	}
	var promised []CommandKind
	for _, it := range n.CanDo {
		promised = append(promised, it.Commands...)
	}
	n.CannotDo = slices.DeleteFunc(n.CannotDo, func(it NoticeItem) bool {
		return slices.ContainsFunc(it.Commands, func(k CommandKind) bool { return slices.Contains(promised, k) })
	})
	return n
}

var noticeVersion = sync.OnceValue(func() string {
	// The content of every notice, platform by platform and ownership by ownership;
	// encoding plain strings cannot fail.
	var all []Notice
	for _, p := range []Platform{PlatformIOS, PlatformAndroid} {
		for _, o := range Ownerships {
			all = append(all, noticeOf(p, o))
		}
	}
	b, _ := json.Marshal(all)
	sum := sha256.Sum256(b)
	return "notice-" + hex.EncodeToString(sum[:6])
})

// NoticeVersion names the current text of the notice: a digest of its content, so that
// every change of a word gives a new version, and the audit trail shows which text an
// employee acknowledged.
func NoticeVersion() string { return noticeVersion() }

// CheckNoticeVersion reports whether v is the current notice version; an employee who
// read an older text must read the current one before acknowledging it.
func CheckNoticeVersion(v string) error {
	if v != NoticeVersion() {
		return fmt.Errorf("%w: the privacy notice has changed since it was shown (version %q, now %q)", ErrConflict, v, NoticeVersion())
	}
	return nil
}
