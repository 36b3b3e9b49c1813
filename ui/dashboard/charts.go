package dashboard

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/overview"
)

// The charts of the overview are drawn on the server as SVG: the geometry is worked out
// here, in plain numbers, and the template overview.html writes the elements and every
// text from the catalogue. Each chart has a title, a description and a table with the same
// numbers, and its series differ by pattern and label, not by colour alone.

// The size of a column chart's drawing, in SVG units; the browser scales it to the page.
const (
	chartWidth  = 720
	chartHeight = 240
	chartLeft   = 48 // room for the value axis' labels
	chartRight  = 8
	chartTop    = 12
	chartBottom = 28 // room for the dates
)

// columnChart is a chart of one column per day, each a stack of segments.
type columnChart struct {
	Width, Height int
	Left, Right   float64 // the plot's edges
	Base          float64 // the y of zero
	TextX, DateY  float64 // where the axis' values end and the dates stand
	Ticks         []tick
	Columns       []column
	Dates         []dateLabel
}

// tick is a line of the value axis with its value.
type tick struct {
	Y, TextY float64
	Value    int64
}

// column is one day's stack; Segments are bottom first and leave out empty ones.
type column struct {
	Segments []segment
}

// segment is one series' part of a column.
type segment struct {
	Series     string
	X, Y, W, H float64
}

// Class names the segment's series for the stylesheet, which paints each series in a
// colour of the page's palette, so that the chart follows the light and the dark colour
// scheme with the page.
func (s segment) Class() string { return "series-" + s.Series }

// Pattern is the pattern that paints the segment instead of a plain colour: the series in
// grace and non-compliant have one of their own, so that they differ without colour too
// (the patterns are defined in overview.html, in the palette's colours); empty for the
// others.
func (s segment) Pattern() string { return seriesPattern[s.Series] }

var seriesPattern = map[string]string{"in_grace": "grace", "noncompliant": "non"}

// dateLabel is a date under the columns, at the first day of a month.
type dateLabel struct {
	X          float64
	Day, Month int
}

// series is one stacked value of a day.
type series struct {
	Name  string
	Value int64
}

// newColumnChart lays out one column per day; values gives a day's series bottom first,
// or nil for a day without figures.
func newColumnChart(days []overview.Day, values func(overview.Day) []series) columnChart {
	c := columnChart{Width: chartWidth, Height: chartHeight, Left: chartLeft, Right: chartWidth - chartRight,
		Base: chartHeight - chartBottom, TextX: chartLeft - 6, DateY: chartHeight - chartBottom + 18}
	var most int64
	for _, d := range days {
		var sum int64
		for _, s := range values(d) {
			sum += s.Value
		}
		most = max(most, sum)
	}
	top := niceCeiling(most)
	height := c.Base - chartTop
	for _, v := range []int64{0, top / 2, top} {
		if v == top/2 && top%2 != 0 {
			continue
		}
		y := round1(c.Base - float64(v)/float64(top)*height)
		c.Ticks = append(c.Ticks, tick{Y: y, TextY: y + 4, Value: v})
	}
	step := (c.Right - c.Left) / float64(max(len(days), 1))
	gap := min(1, step/4)
	for i, d := range days {
		x := c.Left + float64(i)*step
		y := c.Base
		var col column
		for _, s := range values(d) {
			if s.Value <= 0 {
				continue
			}
			h := float64(s.Value) / float64(top) * height
			y -= h
			col.Segments = append(col.Segments, segment{Series: s.Name, X: round1(x + gap/2), Y: round1(y), W: round1(step - gap), H: round1(h)})
		}
		c.Columns = append(c.Columns, col)
		if t, err := time.Parse(time.DateOnly, d.Day); err == nil && t.Day() == 1 {
			c.Dates = append(c.Dates, dateLabel{X: round1(x), Day: t.Day(), Month: int(t.Month())})
		}
	}
	return c
}

// niceCeiling is the least of 1, 2, 5, 10, 20, 50 … that is at least n (at least 1, so an
// empty chart still has an axis).
func niceCeiling(n int64) int64 {
	for scale := int64(1); ; scale *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*scale >= n {
				return m * scale
			}
		}
	}
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// enrolmentChart is the enrolments of each day.
func enrolmentChart(days []overview.Day) columnChart {
	return newColumnChart(days, func(d overview.Day) []series {
		return []series{{"enrolments", d.Enrolments}}
	})
}

// complianceChart is each day's devices by verdict: compliant at the bottom, then in grace,
// then non-compliant; a day without figures has no column.
func complianceChart(days []overview.Day) columnChart {
	return newColumnChart(days, func(d overview.Day) []series {
		if d.Compliance == nil {
			return nil
		}
		c := d.Compliance
		return []series{{"compliant", c.Compliant}, {"in_grace", c.InGrace}, {"noncompliant", c.NonCompliant}}
	})
}

// versionsShown is how many versions of a platform get a bar of their own; the rarer ones
// share one.
const versionsShown = 6

// The heights in the chart of OS versions, in SVG units.
const (
	versionBar     = 22
	versionGap     = 6
	versionHeading = 30
	versionLabel   = 160 // room for "Android 15" left of the bars
)

// versionChart is the chart of OS versions: per platform a heading and a horizontal bar
// per major version, longest first.
type versionChart struct {
	Width, Height int
	Platforms     []platformVersions
}

// platformVersions is one platform's part of the chart.
type platformVersions struct {
	Platform string
	Y        float64 // the heading's baseline
	Bars     []versionBarRow
}

// versionBarRow is one version's bar; Other marks the bar of the rarer versions, Unknown
// the devices that have not reported a version yet.
type versionBarRow struct {
	Version        string
	Other, Unknown bool
	Count          int64
	Y, W, TextY    float64
	LabelX, RectX  float64
	CountX         float64
}

// newVersionChart folds the versions to their major version per platform ("17.4.1" is
// counted as 17) and lays out the bars, all on one scale.
func newVersionChart(counts []overview.VersionCount) versionChart {
	c := versionChart{Width: chartWidth}
	byPlatform := map[mdm.Platform]map[string]int64{}
	for _, v := range counts {
		if byPlatform[v.Platform] == nil {
			byPlatform[v.Platform] = map[string]int64{}
		}
		major, _, _ := strings.Cut(strings.TrimSpace(v.OSVersion), ".")
		byPlatform[v.Platform][major] += v.Count
	}
	var most int64
	var platforms []platformVersions
	for _, p := range []mdm.Platform{mdm.PlatformAndroid, mdm.PlatformIOS} {
		versions := byPlatform[p]
		if len(versions) == 0 {
			continue
		}
		var rows []versionBarRow
		for v, n := range versions {
			rows = append(rows, versionBarRow{Version: v, Unknown: v == "", Count: n})
		}
		slices.SortFunc(rows, func(a, b versionBarRow) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Version, b.Version))
		})
		if len(rows) > versionsShown {
			other := versionBarRow{Other: true}
			for _, r := range rows[versionsShown-1:] {
				other.Count += r.Count
			}
			rows = append(rows[:versionsShown-1], other)
		}
		for _, r := range rows {
			most = max(most, r.Count)
		}
		platforms = append(platforms, platformVersions{Platform: string(p), Bars: rows})
	}
	width := float64(chartWidth - versionLabel - 80) // room for the count right of the bar
	y := 0.0
	for i := range platforms {
		y += versionHeading
		platforms[i].Y = y - 8
		for j := range platforms[i].Bars {
			b := &platforms[i].Bars[j]
			b.Y, b.TextY = y, y+16
			b.RectX = versionLabel
			b.W = round1(max(float64(b.Count)/float64(max(most, 1))*width, 1))
			b.LabelX = versionLabel - 8
			b.CountX = round1(versionLabel + b.W + 6)
			y += versionBar + versionGap
		}
	}
	c.Platforms = platforms
	c.Height = int(y) + versionGap
	return c
}
