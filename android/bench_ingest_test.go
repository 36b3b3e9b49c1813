package android_test

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkPubSubIngestNextToBareDecoding measures, in one run, the batched ingest of
// status reports (the push endpoint with sixteen pushes at a time on SQLite, as
// BenchmarkPubSubStatusReportsParallel) and a bare net/http handler that only decodes the
// same pushes (the Pub/Sub envelope and the device in it) and answers 204: the floor any
// push endpoint stands on. The pushes are made before the timer starts, so that neither
// side pays for them. The ratio of the two rates is what the ingest costs beyond decoding.
//
//	go test -run '^$' -bench PubSubIngestNextToBareDecoding -benchtime 20000x ./android/
func BenchmarkPubSubIngestNextToBareDecoding(b *testing.B) {
	for _, side := range []string{"trennwand", "bare"} {
		b.Run(side, func(b *testing.B) {
			r := newReporter(b, storetest.SQLite)
			h := r.h
			if side == "bare" {
				h = http.HandlerFunc(bareDecoding)
			}
			bodies := make([][]byte, b.N)
			for i := range bodies {
				bodies[i] = r.body(b, int64(i))
			}
			var n atomic.Int64
			b.SetParallelism(8) // sixteen pushes at a time on two cores
			b.ResetTimer()
			start, cpu := time.Now(), cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r.post(b, h, bodies[n.Add(1)-1])
				}
			})
			reportRates(b, n.Load(), start, cpu)
		})
	}
}

// bareDecoding decodes a Pub/Sub push of an AMAPI notification and answers 204.
func bareDecoding(w http.ResponseWriter, r *http.Request) {
	var push struct {
		Message struct {
			Data       []byte            `json:"data"`
			MessageID  string            `json:"messageId"`
			Attributes map[string]string `json:"attributes"`
		} `json:"message"`
		Subscription string `json:"subscription"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&push); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var d amapi.Device
	if err := json.Unmarshal(push.Message.Data, &d); err != nil || push.Message.MessageID == "" {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
