package metrics

import "github.com/prometheus/client_golang/prometheus"

// BuildInfo returns trennwand_build_info: always 1, with the binary's version, commit,
// build date and Go version as labels, so that a dashboard can show which build runs
// where and a query can join it to other series.
func BuildInfo(version, commit, date, goVersion string) prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "trennwand_build_info",
		Help: "The running build of trennwand: always 1, with version, commit, build date and Go version as labels.",
		ConstLabels: prometheus.Labels{
			"version": version, "commit": commit, "date": date, "goversion": goVersion,
		},
	})
	g.Set(1)
	return g
}
