-- Integrations with a service (Slack, PostHog, Segment, Amplitude, Mixpanel) share the webhook integrations' table,
-- filters and outbox: `kind` says which sender delivers, `settings` holds the service's own settings as a JSON object.
-- Existing rows are webhooks.
ALTER TABLE webhook_integrations ADD COLUMN kind TEXT NOT NULL DEFAULT 'webhook';
ALTER TABLE webhook_integrations ADD COLUMN settings TEXT;
