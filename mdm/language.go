package mdm

import "golang.org/x/text/language"

// languageMatcher knows the languages people read trennwand in, German first.
var languageMatcher = language.NewMatcher([]language.Tag{language.German, language.English})

// Language is the language a person's browser or phone asks for in its Accept-Language
// header: "de" or "en", German when it asks for neither. The dashboard and the portal
// choose with it after the reader's own choice; the platforms' own pages (the Apple
// sign-in, the Android sign-up's return) choose with it alone.
func Language(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return "de"
	}
	if _, i, conf := languageMatcher.Match(tags...); conf != language.No && i == 1 {
		return "en"
	}
	return "de"
}
