#!/usr/bin/env bash
# Benchmark of GET /v1/subscribers/{app_user_id} (RevenueCat v1 CustomerInfo), the call every client makes, against
# GET /health/live on the same server in the same run (the issue's yardstick: the read's req/s as a share of it).
#
# Usage, one command per database (a fresh server and database each, see bench/with-server.sh):
#   bench/with-server.sh sqlite bench/subscribers.sh
#   bench/with-server.sh postgresql bench/subscribers.sh
# or against a running server:
#   SUBSTATE_URL=http://127.0.0.1:8080 SUBSTATE_ADMIN_TOKEN=… bench/subscribers.sh
#
# Needs: a running Substate server, wrk, curl, and a JDK 17+ `java` (bench/SignedWebhooks.java signs the setup events).
#   1. creates a project, a Stripe app (track_new_purchases, stripe_customer_id detection) and an entitlement "pro"
#      attached to the benchmark's product prod_bench;
#   2. gives BENCH_CUSTOMERS customers an active subscription each, through the Stripe webhook endpoint (one signed
#      customer.subscription.created per customer), so every response renders a subscription and an entitlement;
#   3. warms both routes up (BENCH_WARMUP each, unmeasured), then runs wrk on /health/live and on the subscriber route
#      with bench/subscribers.lua (round-robin over those customers, the app's public key, no X-Platform), and prints
#      for each requests/s, p50/p99 latency, the response statuses (all should be 200) and, when the server runs on
#      this machine, its CPU per request (and PostgreSQL's, on PostgreSQL); last, the subscriber route's req/s as a
#      share of /health/live's and its p99 as a multiple of /health/live's.
#
# Optional environment: BENCH_CUSTOMERS (default 2000), BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_DURATION
# (20s), BENCH_WARMUP (15s), BENCH_SECRET=1 (read with the project's secret key, attributes included, instead of the
# public key). SUBSTATE_APP_ID + BENCH_WEBHOOK_SECRET + BENCH_PUBLIC_KEY: use an existing app, whose project already
# has an entitlement "pro" unlocked by prod_bench (bench/growth.sh's seeded project), instead of creating them.
set -euo pipefail

: "${SUBSTATE_URL:?set SUBSTATE_URL, e.g. http://127.0.0.1:8080}"
: "${SUBSTATE_ADMIN_TOKEN:?set SUBSTATE_ADMIN_TOKEN, the admin token of the server}"
SUBSTATE_URL="${SUBSTATE_URL%/}"
BENCH_CUSTOMERS="${BENCH_CUSTOMERS:-2000}"
BENCH_THREADS="${BENCH_THREADS:-2}"
BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-32}"
BENCH_DURATION="${BENCH_DURATION:-20s}"
BENCH_WARMUP="${BENCH_WARMUP:-15s}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/lib.sh
source "$here/lib.sh"


if [[ -n "${SUBSTATE_APP_ID:-}" ]]; then
  : "${BENCH_WEBHOOK_SECRET:?SUBSTATE_APP_ID needs BENCH_WEBHOOK_SECRET and BENCH_PUBLIC_KEY}"
  : "${BENCH_PUBLIC_KEY:?SUBSTATE_APP_ID needs BENCH_WEBHOOK_SECRET and BENCH_PUBLIC_KEY}"
  app_id="$SUBSTATE_APP_ID" secret="$BENCH_WEBHOOK_SECRET" public_key="$BENCH_PUBLIC_KEY"
  project_id="${SUBSTATE_PROJECT_ID:-}"
else
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
fi

echo "creating $BENCH_CUSTOMERS customers with an active subscription…"
java "$here/SignedWebhooks.java" "$secret" $((BENCH_CUSTOMERS * 2)) "$work/events.tsv"
# Odd lines are the customer.subscription.created events.
awk 'NR % 2 == 1' "$work/events.tsv" > "$work/created.tsv"
# The customer ids, one per line, in the order of the events.
awk -F '\t' '{ match($2, /"customer":"cus_[^"]*"/); print substr($2, RSTART + 12, RLENGTH - 13) }' "$work/created.tsv" \
  > "$work/ids.txt"
# wrk sends them (bench/webhooks.lua) 250 at a time, each slice over 8 connections for 5 s at a time until its last
# customer has the entitlement (wrk starts a slice over each time; what it sends again is answered as a duplicate):
# one curl per event was too slow on a loaded machine to send them all within the signatures' 300 s tolerance.
has_pro() {
  curl -sS "$SUBSTATE_URL/v1/subscribers/$1" -H "Authorization: Bearer $public_key" | grep -q '"pro"'
}
split -l 250 -d -a 3 "$work/created.tsv" "$work/slice-"
for slice in "$work"/slice-*; do
  last="$(tail -n 1 "$slice" | awk -F '\t' '{ match($2, /"customer":"cus_[^"]*"/); print substr($2, RSTART + 12, RLENGTH - 13) }')"
  for _ in $(seq 1 30); do
    BENCH_EVENTS_FILE="$slice" BENCH_APP_ID="$app_id" BENCH_THREADS=1 \
      wrk -t1 -c8 -d5s -s "$here/webhooks.lua" "$SUBSTATE_URL" > "$work/setup.txt"
    has_pro "$last" && break
  done
done
for sample in "$(head -n 1 "$work/ids.txt")" "$(tail -n 1 "$work/ids.txt")"; do
  has_pro "$sample" || { echo "customer $sample has no 'pro' entitlement" >&2; exit 1; }
done

read_key="$public_key"
if [[ "${BENCH_SECRET:-}" == 1 ]]; then
  read_key="$(curl -sS "$SUBSTATE_URL/v2/projects/$project_id" -H "Authorization: Bearer $SUBSTATE_ADMIN_TOKEN" \
    | json_field secret_api_key)"
fi

# The server's CPU (and every postgres process's) over each measured run, when the server listens on this machine.
port=${SUBSTATE_URL##*:}
server_pid=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
ticks() {
  local server=0 pg=0 p g
  if [[ -n "$server_pid" ]]; then
    read -r -a g < <(sed 's/.*) //' "/proc/$server_pid/stat"); server=$(( g[11] + g[12] ))
  fi
  if [[ "${BENCH_DATABASE:-}" == postgresql://* ]]; then
    for p in $(pgrep -x postgres); do
      g=($(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null)) || continue
      (( ${#g[@]} > 14 )) && pg=$(( pg + g[11] + g[12] + g[13] + g[14] ))
    done
  fi
  echo "$server $pg"
}
# run <label> <duration> [BENCH_PATH]: one wrk run; prints its summary line and the CPU per request.
run() {
  local label="$1" duration="$2" path="${3:-}" before after out
  before="$(ticks)"
  out="$(BENCH_IDS_FILE="$work/ids.txt" BENCH_PUBLIC_KEY="$read_key" BENCH_PATH="$path" \
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$duration" --latency -s "$here/subscribers.lua" "$SUBSTATE_URL")"
  after="$(ticks)"
  printf '%s\n' "$out" | grep -E '^(requests/s|HTTP)' | sed "s|^|$label  |"
  python3 - "$before" "$after" "$(printf '%s\n' "$out" | awk '/^requests\/s:/ {print $10}')" "$(getconf CLK_TCK)" \
      "$label" <<'PY'
import sys
(s0, p0), (s1, p1) = (map(int, a.split()) for a in sys.argv[1:3])
n, hz, label = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
if s1 > s0 and n:
    pg = f", PostgreSQL {(p1 - p0) / hz * 1e6 / n:.0f}" if p1 > p0 else ""
    print(f"{label}  server CPU {(s1 - s0) / hz * 1e6 / n:.0f} us/request{pg}")
PY
  printf '%s\n' "$out" > "$work/last.txt"
}

echo "warm-up: $BENCH_WARMUP of each route (unmeasured)"
run warm-up "$BENCH_WARMUP" /health/live >/dev/null
run warm-up "$BENCH_WARMUP" >/dev/null
echo "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION: GET /health/live, then GET /v1/subscribers/{id}"
run "health/live " "$BENCH_DURATION" /health/live
health="$(awk '/^requests\/s:/ {print $2, $7}' "$work/last.txt")"
run "subscribers " "$BENCH_DURATION"
subscribers="$(awk '/^requests\/s:/ {print $2, $7}' "$work/last.txt")"
python3 - $health $subscribers <<'PY'
import sys
h_rps, h_p99, s_rps, s_p99 = map(float, sys.argv[1:])
print(f"subscribers / health/live: {s_rps / h_rps:.0%} of the req/s (target >= 70%), "
      f"p99 {s_p99 / h_p99:.1f}x (target <= 2x)")
PY
