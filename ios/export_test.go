package ios

import (
	"context"

	"github.com/trennwand/trennwand/mdm"
)

// IngestStatus takes a status report of device d as the declarative channel does after
// the request's authentication, for benchmarks that measure the server's part alone.
func (p *Platform) IngestStatus(ctx context.Context, d mdm.Device, raw []byte) error {
	_, err := p.ddm.Serve(ctx, d, "status", raw)
	return err
}
