#!/usr/bin/env bash
# The Stripe webhook benchmark on a fresh SQLite or PostgreSQL server, then a check that every 200 is in the database
# (acknowledged events are durable).
#
# Usage: bench/run-webhooks.sh sqlite|postgresql
# Environment: BENCH_EVENTS, BENCH_CONNECTIONS, BENCH_THREADS, BENCH_DURATION as in bench/stripe-webhooks.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bench/with-server.sh "${1:?usage: bench/run-webhooks.sh sqlite|postgresql}" bash -c '
set -euo pipefail
out="$(mktemp)"
bench/stripe-webhooks.sh | tee "$out"
# Every 200, of the warm-up and of the measured run.
acknowledged=$(grep -o "200=[0-9]*" "$out" | cut -d= -f2 | paste -sd+ | bc)
query="select count(*) + coalesce(sum(duplicate_deliveries),0) from stripe_events where status in ('"'"'processed'"'"','"'"'stale'"'"')"
if [[ "$BENCH_DATABASE" == postgresql://* ]]; then
  stored=$(psql -tAq "$BENCH_DATABASE" -c "$query")
else
  stored=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$BENCH_DATABASE" "$query")
fi
echo "acknowledged with 200: ${acknowledged:-0}; stored (processed or stale, plus duplicate deliveries): $stored"
# wrk stops counting at its deadline while the last requests are still answered, so stored may exceed acknowledged.
if (( stored < ${acknowledged:-0} )); then
  echo "MISMATCH: an acknowledged event is missing from the database" >&2
  exit 1
fi
'
