// What Stripe must send, and what each failure means in plain words with its fix (the seed's troubleshooting).

/** The exact event types to select on the Stripe endpoint; tracking-only ones are marked. */
export const STRIPE_EVENT_TYPES = [
  { type: 'customer.subscription.updated', trackingOnly: false },
  { type: 'customer.subscription.deleted', trackingOnly: false },
  { type: 'charge.refunded', trackingOnly: false },
  { type: 'invoice.updated', trackingOnly: false },
  { type: 'customer.subscription.created', trackingOnly: true },
  { type: 'checkout.session.completed', trackingOnly: true },
];

const SECRET_FIX = 'In Stripe, open Developers → Webhooks → this endpoint, reveal its Signing secret (whsec_…), and '
  + 'paste it in "Stripe Webhook Secret" on this app\'s settings page, then Save. If the endpoint was recreated or '
  + 'its secret rolled in Stripe, the secret changed: paste the new one (the old one keeps working for 24 hours).';

/** Plain-words title and fix for each error code of the Stripe webhook endpoint. */
export const FAILURES = {
  invalid_signature: {
    title: 'The Stripe signature did not match the Stripe Webhook Secret',
    fix: SECRET_FIX + ' A "timestamp too old" reason means the server clock is off or the delivery was replayed '
      + 'by hand more than 5 minutes after signing.',
  },
  webhook_secret_not_configured: {
    title: 'No Stripe Webhook Secret is saved for this app',
    fix: SECRET_FIX,
  },
  unsupported_event_type: {
    title: 'Stripe sent an event type Substate does not handle',
    fix: 'Edit the endpoint in Stripe and select only the event types listed under Webhook Configuration (the four '
      + 'required ones, plus the two tracking ones if Track new purchases is on). One endpoint carries all of them: '
      + 'do not create one endpoint per event. Stripe disables an endpoint that keeps failing.',
  },
  purchase_not_found: {
    title: 'Substate does not know this purchase yet',
    fix: 'Send the Stripe token (sub_… or cs_…) from your server to POST /v1/receipts right after checkout, or turn '
      + 'on "Track new purchases from server-to-server notifications" in Webhook Configuration. The event is kept '
      + '(parked): it is applied as soon as the receipt is posted, or use Replay after turning tracking on. Stripe\'s '
      + 'test events ("Send test webhook") always fail this way because their purchase does not exist.',
  },
  app_user_id_not_detected: {
    title: 'No App User ID could be read from the event',
    fix: 'With the metadata method, the Metadata field key must be present, with the exact App User ID, in the '
      + 'Checkout Session metadata (checkout sessions) and in the Subscription metadata (subscriptions: set '
      + 'subscription_data.metadata when creating the Checkout Session). Fix your checkout code or change the '
      + 'detection method, then Replay.',
  },
  invalid_event: {
    title: 'The event was signed correctly but could not be read',
    fix: 'The body is not a Stripe event Substate understands. Check that the endpoint is a normal Stripe webhook '
      + 'endpoint (not a Connect or thin-event endpoint).',
  },
  stripe_api_key_not_configured: {
    title: 'Substate had to read this purchase from Stripe, but the app has no Stripe API key',
    fix: 'Add a restricted key (rk_…) with read access to Subscriptions, Checkout Sessions, Invoices, Charges, '
      + 'Payment Intents and Events under "Stripe API" on the app settings page, then Replay.',
  },
  stripe_api_key_invalid: {
    title: 'Stripe refused the app\'s API key',
    fix: 'The key was rolled, deleted, or lacks a read permission. Create a new restricted key in Stripe, save it '
      + 'under "Stripe API", use "Check connection", then Replay.',
  },
  stripe_object_not_found: {
    title: 'Stripe has no such object for the app\'s API key',
    fix: 'The API key belongs to another Stripe account or the other mode (test keys cannot see live objects). '
      + 'Use "Check connection": the key\'s mode must match the events\' mode. Then Replay.',
  },
  stripe_api_error: {
    title: 'Stripe did not answer properly',
    fix: 'Usually temporary. Stripe retries the delivery by itself; you can also Replay the event later.',
  },
  stripe_rate_limited: {
    title: 'Stripe rate-limited Substate',
    fix: 'Temporary. Stripe retries the delivery; Replay later if it stays failed.',
  },
};

export function failureHelp(code) {
  return FAILURES[code] ?? { title: `Failed: ${code ?? 'unknown reason'}`, fix: 'Read the message below, fix the '
    + 'cause, then Replay the event.' };
}

/** Outcome labels of the event log. */
export const OUTCOMES = {
  processed: ['Processed', 'ok'],
  stale: ['Stale (ignored)', 'neutral'],
  failed: ['Failed', 'error'],
  parked: ['Parked (waiting for the purchase)', 'warn'],
};

/** Plain words for the last signature failure reason recorded on the app (the server's reason text). */
export function signatureFailureHelp(reason) {
  const text = (reason ?? '').toLowerCase();
  if (text.includes('not configured')) return FAILURES.webhook_secret_not_configured;
  if (text.includes('matches this body') || text.includes('does not match')) return FAILURES.invalid_signature;
  if (text.includes('seconds old')) {
    return { title: 'The signature timestamp was too old', fix: 'Check the server clock (NTP). Deliveries '
      + 'signed more than 5 minutes earlier are refused so that a captured request cannot be replayed.' };
  }
  if (text.includes('header')) {
    return { title: 'The request had no usable Stripe-Signature header', fix: 'The request did not come from '
      + 'Stripe, or a proxy changed the header. Make sure the Stripe endpoint URL is the Stripe Webhook Endpoint '
      + 'shown here and that proxies forward the Stripe-Signature header unchanged.' };
  }
  return FAILURES.invalid_signature;
}
