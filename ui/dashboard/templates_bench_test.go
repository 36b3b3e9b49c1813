package dashboard

import (
	"io/fs"
	"runtime"
	"testing"

	"github.com/trennwand/trennwand/ui"
)

// BenchmarkPageTemplates reports the heap that the dashboard's pages hold once parsed, for
// as long as the server runs.
//
//	go test -run '^$' -bench PageTemplates -benchtime 1x ./ui/dashboard/
func BenchmarkPageTemplates(b *testing.B) {
	tmpl, _ := fs.Sub(files, "templates")
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		pages, err := ui.Templates(tmpl, funcs, sharedTemplates, pageNames...)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(pages)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB")
	}
}
