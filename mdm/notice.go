package mdm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
)

// Notice is the plain-language privacy notice an employee reads on the portal before any
// step of an enrolment: what the employer can see, cannot see, can do and cannot do with
// the work container on a phone of the platform. Its items are tied to the code that
// keeps the promises (the device fields the server stores, the command kinds it can send),
// and its tests tie it to the privacy rules, so that neither can change without the other.
type Notice struct {
	Platform  Platform
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
	// DeviceFields are the fields of Device whose content the statement discloses.
	DeviceFields []string
	// Commands are the command kinds the statement discloses.
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

// PrivacyNotice returns the notice for a phone of the platform (ios or android).
func PrivacyNotice(p Platform) (Notice, error) {
	if _, err := ParsePlatform(string(p)); err != nil {
		return Notice{}, err
	}
	n := Notice{
		Platform:  p,
		Version:   NoticeVersion(),
		CanSee:    append(append([]NoticeItem{}, noticeCanSee...), noticeCanSeeOn[p]...),
		CannotSee: noticeCannotSee,
		CanDo:     append(append([]NoticeItem{}, noticeCanDo...), noticeCanDoOn[p]...),
		CannotDo:  noticeCannotDo,
	}
	return n, nil
}

var noticeVersion = sync.OnceValue(func() string {
	// The content of every platform's notice, in a fixed order; encoding plain strings
	// cannot fail.
	b, _ := json.Marshal([]any{noticeCanSee, noticeCanSeeOn[PlatformIOS], noticeCanSeeOn[PlatformAndroid],
		noticeCannotSee, noticeCanDo, noticeCanDoOn[PlatformIOS], noticeCanDoOn[PlatformAndroid], noticeCannotDo})
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
