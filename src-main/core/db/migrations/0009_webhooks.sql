-- Webhook deliveries (SPEC section 6): every request to a webhook's endpoint with the answer it
-- got (no bodies), and the replay store: an accepted delivery id is unique per webhook, so the same
-- delivery sent again is answered 409.
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  webhook_id TEXT NOT NULL,
  delivery_id TEXT,
  received_at INTEGER NOT NULL,
  status INTEGER NOT NULL,
  run_id TEXT,
  error TEXT,
  ip TEXT
);
CREATE UNIQUE INDEX webhook_deliveries_accepted ON webhook_deliveries(webhook_id, delivery_id) WHERE status = 202 AND delivery_id IS NOT NULL;
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries(webhook_id, received_at DESC);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries(received_at);
