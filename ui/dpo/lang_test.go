package dpo

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// Every text of the documents exists in German and in English.
func TestEveryTextInEveryLanguage(t *testing.T) {
	if missing := catalog.Missing(); len(missing) > 0 {
		t.Errorf("texts missing: %v", missing)
	}
}

// The record of processing says the same in both languages: as many purposes, categories,
// recipients, retention rules and measures; what the tenant wrote itself stands as
// written in both; no text ID shows instead of a text.
func TestTheRecordSaysTheSameInBothLanguages(t *testing.T) {
	r := dataprotection.RecordOfProcessing{GeneratedAt: time.Now(), Controller: "Stadt Musterstadt", Operator: "KommunalIT Nord",
		Settings: dataprotection.DataProtection{DeviceRetentionDays: 30, AuditRetentionYears: 3, InactivityDays: 60,
			InactivityGraceDays: 14, InactivityAction: dataprotection.InactivityLock, Measures: "Schulung aller Beschäftigten"}}
	de, en := newProcessingView(r, "de"), newProcessingView(r, "en")
	count := func(v processingView) []int {
		return []int{len(v.Purposes), len(v.DataSubjects), len(v.DataCategories), len(v.Recipients), len(v.Retention), len(v.Measures)}
	}
	if a, b := count(de), count(en); !slices.Equal(a, b) {
		t.Errorf("German record has %v entries, English %v", a, b)
	}
	for _, v := range []processingView{de, en} {
		var md strings.Builder
		if err := ProcessingMarkdown(&md, r, v.Lang()); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(md.String(), "rop.") || !strings.Contains(md.String(), "Schulung aller Beschäftigten") || !strings.Contains(md.String(), "KommunalIT Nord") {
			t.Errorf("%s record:\n%s", v.Lang(), md.String())
		}
	}
}
