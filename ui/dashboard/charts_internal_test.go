package dashboard

import (
	"strconv"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/overview"
)

// The chart of OS versions counts a major version once however many minor versions the
// phones report, gives the rarest versions of a platform one bar together, and draws the
// longest bar across the whole width.
func TestTheVersionChartFoldsVersions(t *testing.T) {
	counts := []overview.VersionCount{
		{Platform: mdm.PlatformIOS, OSVersion: "18.1", Count: 40},
		{Platform: mdm.PlatformIOS, OSVersion: "18.0.1", Count: 20},
		{Platform: mdm.PlatformIOS, OSVersion: "", Count: 3},
		{Platform: mdm.PlatformAndroid, OSVersion: "15", Count: 10},
	}
	for v := range 7 {
		counts = append(counts, overview.VersionCount{Platform: mdm.PlatformAndroid, OSVersion: strconv.Itoa(7 + v), Count: int64(9 - v)})
	}
	c := newVersionChart(counts)
	if len(c.Platforms) != 2 || c.Platforms[0].Platform != "android" || c.Platforms[1].Platform != "ios" {
		t.Fatalf("platforms %+v", c.Platforms)
	}
	ios := c.Platforms[1].Bars
	if len(ios) != 2 || ios[0].Version != "18" || ios[0].Count != 60 || !ios[1].Unknown || ios[1].Count != 3 {
		t.Errorf("iOS bars %+v, want 60 on 18 and 3 not reported", ios)
	}
	if ios[0].W != chartWidth-versionLabel-80 {
		t.Errorf("the longest bar is %v wide, want the whole width %d", ios[0].W, chartWidth-versionLabel-80)
	}
	android := c.Platforms[0].Bars
	if len(android) != versionsShown || android[0].Version != "15" || !android[versionsShown-1].Other {
		t.Fatalf("Android bars %+v, want %d with the rarest together", android, versionsShown)
	}
	// 9+8+7+6 have bars of their own; 5+4+3 share the last.
	if other := android[versionsShown-1].Count; other != 12 {
		t.Errorf("the rarer versions count %d, want 12", other)
	}
}

// The value axis ends at a round number at least the largest column, and a column is as
// high as its value on that scale.
func TestTheColumnChartScales(t *testing.T) {
	days := []overview.Day{{Day: "2026-11-30", Enrolments: 3}, {Day: "2026-12-01", Enrolments: 7}, {Day: "2026-12-02"}}
	c := enrolmentChart(days)
	if top := c.Ticks[len(c.Ticks)-1]; top.Value != 10 || top.Y != chartTop {
		t.Errorf("top tick %+v, want 10 at the top", top)
	}
	if len(c.Columns) != 3 || len(c.Columns[2].Segments) != 0 {
		t.Fatalf("columns %+v, want three, the last empty", c.Columns)
	}
	if h := c.Columns[1].Segments[0].H; h != round1(0.7*(chartHeight-chartBottom-chartTop)) {
		t.Errorf("the column of 7 is %v high", h)
	}
	if len(c.Dates) != 1 || c.Dates[0].Day != 1 || c.Dates[0].Month != 12 {
		t.Errorf("dates %+v, want 1 December", c.Dates)
	}
}
