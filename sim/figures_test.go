package sim

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentilesAreTakenFromTheSortedLatencies(t *testing.T) {
	l := &latencies{}
	for i := 100; i >= 1; i-- {
		l.all = append(l.all, time.Duration(i)*time.Millisecond)
	}
	n, p50, p95, p99 := l.percentiles()
	if n != 100 || p50 != 50 || p95 != 95 || p99 != 99 {
		t.Errorf("percentiles of 1…100 ms: n %d, p50 %v, p95 %v, p99 %v; want 100, 50, 95, 99", n, p50, p95, p99)
	}
	if n, p50, _, _ := (&latencies{}).percentiles(); n != 0 || p50 != 0 {
		t.Errorf("percentiles of nothing: %d, %v", n, p50)
	}
}

func TestPerSecondOfAnEmptyDurationIsZero(t *testing.T) {
	if got := perSecond(10, 0); got != 0 {
		t.Errorf("perSecond(10, 0) = %v", got)
	}
	if got := perSecond(10, 2*time.Second); got != 5 {
		t.Errorf("perSecond(10, 2s) = %v", got)
	}
}

// The summary's JSON keys are part of the stable command line.
func TestSummaryKeysAreTheStableOnes(t *testing.T) {
	b, err := json.Marshal(Summary{})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"enrolled", "errors", "enrolments_per_s", "checkins_per_s", "p95_ms", "ddm_syncs", "declarations_fetched", "status_reports"} {
		if _, ok := got[key]; !ok {
			t.Errorf("the summary has no %q: %s", key, b)
		}
	}
}

func TestSummaryTextNamesTheFirstError(t *testing.T) {
	var w strings.Builder
	if err := (Summary{Platform: "ios", Count: 2, Enrolled: 1, Errors: 1, FirstError: "enrol: HTTP 500"}).WriteText(&w); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(w.String()), "\n")
	if !strings.HasPrefix(lines[0], "ios: 1 of 2 phones enrolled") || !slices.Contains(lines, "  first error   enrol: HTTP 500") {
		t.Errorf("summary text:\n%s", w.String())
	}
}

func TestSummaryTextCountsDeclarativeManagement(t *testing.T) {
	var w strings.Builder
	if err := (Summary{Platform: "ios", Count: 2, Enrolled: 2, Configured: 2, DDMSyncs: 4, DeclarationsFetched: 14, StatusReports: 6}).WriteText(&w); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.String(), "  DDM           4 syncs, 14 declarations fetched, 6 status reports\n") {
		t.Errorf("summary text:\n%s", w.String())
	}
	w.Reset()
	if err := (Summary{Platform: "ios", Count: 1}).WriteText(&w); err != nil || strings.Contains(w.String(), "DDM") {
		t.Errorf("a run without DDM mentions it:\n%s", w.String())
	}
}
