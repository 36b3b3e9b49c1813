package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// ListenerName is the application_name of the connection on which a server listens for
// changes, so that an operator (or a test) can find it in pg_stat_activity.
const ListenerName = "trennwand changes"

// listen takes in NOTIFY on the changes channel until ctx ends. A lost connection is
// opened again after a second; what was announced meanwhile the periodic look finds.
func (c *Changes) listen(ctx context.Context) {
	for ctx.Err() == nil {
		if err := c.listenOnce(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("listen for changes; the periodic look stands in", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (c *Changes) listenOnce(ctx context.Context) error {
	cfg, err := pgx.ParseConfig(c.url)
	if err != nil {
		return err
	}
	cfg.RuntimeParams["application_name"] = ListenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		c.tell(n.Payload)
	}
}
