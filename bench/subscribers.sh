#!/usr/bin/env bash
# Benchmark of GET /v1/subscribers/{app_user_id} (RevenueCat v1 CustomerInfo), the call every client makes.
#
# Usage:
#   SUBSTATE_URL=http://127.0.0.1:8080 SUBSTATE_ADMIN_TOKEN=… bench/subscribers.sh
#
# Needs: a running Substate server, wrk, curl, and a JDK 17+ `java` (bench/SignedWebhooks.java signs the setup events).
#   1. creates a project, a Stripe app (track_new_purchases, stripe_customer_id detection) and an entitlement "pro"
#      attached to the benchmark's product prod_bench;
#   2. gives BENCH_CUSTOMERS customers an active subscription each, through the Stripe webhook endpoint (one signed
#      customer.subscription.created per customer), so every response renders a subscription and an entitlement;
#   3. runs wrk with bench/subscribers.lua (round-robin over those customers, the app's public key, no X-Platform)
#      and prints requests/s, p50/p99 latency and the response statuses (all should be 200).
#
# Optional environment: BENCH_CUSTOMERS (default 500), BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_DURATION (20s)
set -euo pipefail

: "${SUBSTATE_URL:?set SUBSTATE_URL, e.g. http://127.0.0.1:8080}"
: "${SUBSTATE_ADMIN_TOKEN:?set SUBSTATE_ADMIN_TOKEN, the admin token of the server}"
SUBSTATE_URL="${SUBSTATE_URL%/}"
BENCH_CUSTOMERS="${BENCH_CUSTOMERS:-500}"
BENCH_THREADS="${BENCH_THREADS:-2}"
BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-32}"
BENCH_DURATION="${BENCH_DURATION:-20s}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/lib.sh
source "$here/lib.sh"


secret="whsec_bench$(date +%s)$RANDOM$RANDOM"
project_id="$(admin_post /v2/projects "{\"name\":\"subscriber bench $(date -u +%Y-%m-%dT%H:%M:%SZ)\"}" | json_field id)"
app="$(admin_post "/v2/projects/$project_id/apps" "{\"name\":\"bench\",\"type\":\"stripe\",\"stripe\":{\
\"webhook_secret\":\"$secret\",\"track_new_purchases\":true,\"app_user_id_detection\":\"stripe_customer_id\",\
\"management_url\":\"https://billing.stripe.com/p/login/bench\"}}")"
app_id="$(printf '%s' "$app" | json_field id)"
public_key="$(printf '%s' "$app" | json_field public_api_key)"
entitlement_id="$(admin_post "/v2/projects/$project_id/entitlements" '{"lookup_key":"pro","display_name":"Pro"}' \
  | json_field id)"
product_id="$(admin_post "/v2/projects/$project_id/products" \
  "{\"store_identifier\":\"prod_bench\",\"app_id\":\"$app_id\",\"type\":\"subscription\"}" | json_field id)"
admin_post "/v2/projects/$project_id/entitlements/$entitlement_id/actions/attach_products" \
  "{\"product_ids\":[\"$product_id\"]}" >/dev/null
echo "project $project_id, app $app_id"

echo "creating $BENCH_CUSTOMERS customers with an active subscription…"
java "$here/SignedWebhooks.java" "$secret" $((BENCH_CUSTOMERS * 2)) "$work/events.tsv"
# Odd lines are the customer.subscription.created events; post them 8 at a time.
awk 'NR % 2 == 1' "$work/events.tsv" > "$work/created.tsv"
# One awk pass (spawning processes per line is slow): a body file per delivery, its signature, the customer id.
mkdir -p "$work/deliveries"
awk -F '\t' -v dir="$work/deliveries" -v list="$work/deliveries.tsv" -v ids="$work/ids.txt" '{
  file = dir "/" NR ".json"; printf "%s", $2 > file; close(file)
  print $1 "\t" file > list
  match($2, /"customer":"cus_[^"]*"/); print substr($2, RSTART + 12, RLENGTH - 13) > ids
}' "$work/created.tsv"
export SUBSTATE_URL app_id
post_delivery() {
  local status
  status="$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$SUBSTATE_URL/v1/incoming-webhooks/stripe/$app_id" \
    -H 'Content-Type: application/json' -H "Stripe-Signature: $1" --data-binary "@$2")"
  [[ "$status" == 200 ]] || { echo "webhook answered $status" >&2; return 1; }
}
export -f post_delivery
tr '\t' '\n' < "$work/deliveries.tsv" | xargs -d '\n' -n 2 -P 8 bash -c 'post_delivery "$0" "$1"'

sample="$(head -n 1 "$work/ids.txt")"
curl -sS "$SUBSTATE_URL/v1/subscribers/$sample" -H "Authorization: Bearer $public_key" | grep -q '"pro"' \
  || { echo "customer $sample has no 'pro' entitlement" >&2; exit 1; }

echo "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION GET $SUBSTATE_URL/v1/subscribers/{id}"
BENCH_IDS_FILE="$work/ids.txt" BENCH_PUBLIC_KEY="$public_key" \
  wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency -s "$here/subscribers.lua" "$SUBSTATE_URL"
