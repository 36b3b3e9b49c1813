-- The commands no phone has answered yet, in the order they were queued: /metrics counts
-- them and reads the oldest at every reading (store.Metrics.Commands) without going
-- through the answered ones, which are most of the table. Partial, so that an answered
-- command leaves the index and the index stays as small as the queue.
CREATE INDEX commands_pending ON commands (state, created_at) WHERE state IN ('queued', 'sent');
