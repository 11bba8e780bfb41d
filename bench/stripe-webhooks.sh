#!/usr/bin/env bash
# Benchmark of Substate's Stripe webhook endpoint (POST /v1/incoming-webhooks/stripe/{app_id}).
#
# Usage:
#   SUBSTATE_URL=http://127.0.0.1:8080 SUBSTATE_ADMIN_TOKEN=… bench/stripe-webhooks.sh
#
# Needs: a running Substate server, wrk (apt-get install -y wrk), curl, and a JDK 17+ `java` (runs the single-file
# generator bench/SignedWebhooks.java). What it does:
#   1. creates a project and a Stripe app through the admin API, with a known webhook secret,
#      track_new_purchases=true and app_user_id_detection=stripe_customer_id (so every event creates or updates a
#      purchase: the realistic, write-heavy path);
#   2. generates BENCH_EVENTS pre-signed deliveries (pairs of customer.subscription.created/updated, unique event
#      and subscription ids) signed with the current time: the endpoint accepts 300 s old signatures, so the run must
#      start right after (it does) and last less than about 4 minutes;
#   3. runs wrk with bench/webhooks.lua, which replays them (each wrk thread its own slice), and prints events/s,
#      p50/p99 latency and the response statuses (all should be 200).
#
# Optional environment:
#   BENCH_EVENTS       deliveries to generate (default 200000; if wrk sends more, the rest are duplicates and a
#                      warning says how many)
#   BENCH_THREADS      wrk threads (default 1)        BENCH_CONNECTIONS  wrk connections (default 32)
#                      One thread sends each subscription's created and updated in order, as Stripe does (with two,
#                      one thread sent all the creates and the other all the updates, which drifted apart), and
#                      leaves the server more of the machine: one thread measured ~8% more events/s and a lower p99.
#   BENCH_DURATION     wrk duration (default 20s)
#   BENCH_LIVEMODE     true: live-mode events, as in production (default: test mode, as from a Stripe sandbox);
#                      live-mode spans are also matched against the customer's other subscriptions for the
#                      resubscription chart
#   BENCH_WARMUP       a first, unmeasured wrk run of this length with its own events (default 60s; 0 to skip), so
#                      the measured run sees a JIT-compiled server, as production does after its first minutes. On
#                      2 cores the JIT's one C2 thread competes with the load for CPU: after 15 s at PostgreSQL's
#                      pace it was still compiling, a third of the server's CPU in the measured run (BENCHMARKS.md)
#   SUBSTATE_APP_ID + BENCH_WEBHOOK_SECRET   use an existing app instead of creating a project and an app
set -euo pipefail

: "${SUBSTATE_URL:?set SUBSTATE_URL, e.g. http://127.0.0.1:8080}"
SUBSTATE_URL="${SUBSTATE_URL%/}"
BENCH_EVENTS="${BENCH_EVENTS:-200000}"
BENCH_THREADS="${BENCH_THREADS:-1}"
BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-32}"
BENCH_DURATION="${BENCH_DURATION:-20s}"
BENCH_WARMUP="${BENCH_WARMUP:-60s}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/lib.sh
source "$here/lib.sh"


if [[ -n "${SUBSTATE_APP_ID:-}" ]]; then
  : "${BENCH_WEBHOOK_SECRET:?SUBSTATE_APP_ID needs BENCH_WEBHOOK_SECRET, the webhook secret of that app}"
  app_id="$SUBSTATE_APP_ID"
  secret="$BENCH_WEBHOOK_SECRET"
else
  : "${SUBSTATE_ADMIN_TOKEN:?set SUBSTATE_ADMIN_TOKEN, the admin token of the server}"
  secret="whsec_bench$(date +%s)$RANDOM$RANDOM"
  project_id="$(admin_post /v2/projects "{\"name\":\"webhook bench $(date -u +%Y-%m-%dT%H:%M:%SZ)\"}" | json_id)"
  app_id="$(admin_post "/v2/projects/$project_id/apps" "{\"name\":\"bench\",\"type\":\"stripe\",\"stripe\":{\
\"webhook_secret\":\"$secret\",\"track_new_purchases\":true,\"app_user_id_detection\":\"stripe_customer_id\"}}" \
    | json_id)"
  echo "project $project_id, app $app_id"
fi

if [[ "$BENCH_WARMUP" != 0 ]]; then
  echo "warming up for $BENCH_WARMUP (not measured)…"
  java "$here/SignedWebhooks.java" "$secret" "$BENCH_EVENTS" "$work/warmup.tsv"
  BENCH_EVENTS_FILE="$work/warmup.tsv" BENCH_APP_ID="$app_id" BENCH_THREADS="$BENCH_THREADS" \
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_WARMUP" -s "$here/webhooks.lua" "$SUBSTATE_URL" \
    | grep -o "200=[0-9]*" | sed 's/^/warm-up acknowledged /'
fi

echo "signing $BENCH_EVENTS deliveries…"
java "$here/SignedWebhooks.java" "$secret" "$BENCH_EVENTS" "$work/events.tsv"

echo "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION against $SUBSTATE_URL/v1/incoming-webhooks/stripe/$app_id"
BENCH_EVENTS_FILE="$work/events.tsv" BENCH_APP_ID="$app_id" BENCH_THREADS="$BENCH_THREADS" \
  wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency -s "$here/webhooks.lua" "$SUBSTATE_URL"
