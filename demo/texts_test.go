package demo

import (
	"regexp"
	"testing"
)

// englishWords are words that give an English sentence away and are no German words.
var englishWords = regexp.MustCompile(`(?i)\b(the|and|for|from|with|is|are|to|of|blocked|copying|town hall)\b`)

// What the demo seeds for people to read is German: the sample work policy, the apps'
// names and their settings' titles and descriptions, the employer and its privacy contact.
func TestTheDemoSeedsGermanTexts(t *testing.T) {
	texts := []string{samplePolicy.Name, samplePolicy.Description, contacts.Employer, contacts.PrivacyContact, mailTitle}
	for _, a := range playApps {
		texts = append(texts, a.title)
		for _, p := range a.properties {
			texts = append(texts, p.Title, p.Description)
		}
	}
	for _, text := range texts {
		if text == "" {
			t.Error("a seeded text is empty")
		}
		if w := englishWords.FindString(text); w != "" {
			t.Errorf("%q is English (%q)", text, w)
		}
	}
}
