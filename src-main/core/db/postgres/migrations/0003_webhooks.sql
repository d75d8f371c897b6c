-- Webhook deliveries in fleet mode (SQLite migration 0009, same columns; times are epoch ms). The
-- partial unique index is the one replay store of the fleet: a delivery id is accepted once per
-- webhook whichever node receives it (INSERT … ON CONFLICT DO NOTHING; the loser answers 409).
CREATE TABLE webhook_deliveries (
  id BIGSERIAL PRIMARY KEY,
  webhook_id TEXT NOT NULL,
  delivery_id TEXT,
  received_at BIGINT NOT NULL,
  status INTEGER NOT NULL,
  run_id TEXT,
  error TEXT,
  ip TEXT
);
CREATE UNIQUE INDEX webhook_deliveries_accepted ON webhook_deliveries(webhook_id, delivery_id) WHERE status = 202 AND delivery_id IS NOT NULL;
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries(webhook_id, received_at DESC);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries(received_at);
