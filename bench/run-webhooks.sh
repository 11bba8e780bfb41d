#!/usr/bin/env bash
# Runs the Stripe webhook benchmark against a fresh server on SQLite or PostgreSQL, then checks that every 200 is in
# the database (durability of acknowledged events).
#
# Usage: bench/run-webhooks.sh sqlite|postgresql      (builds target/substate.jar first if it is missing)
# Environment: BENCH_EVENTS, BENCH_CONNECTIONS, BENCH_THREADS, BENCH_DURATION as in bench/stripe-webhooks.sh;
#              BENCH_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/test) for the PostgreSQL run.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: bench/run-webhooks.sh sqlite|postgresql}"
[[ -f target/substate.jar ]] || ./mvnw -q -B package -DskipTests
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
token="bench-admin-token-$RANDOM$RANDOM"
pg_admin="${BENCH_PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}"
db_name="substate_bench_$RANDOM$RANDOM"

case "$kind" in
  sqlite) database_url="jdbc:sqlite:$work/substate.db" ;;
  postgresql)
    psql -q "$pg_admin" -c "CREATE DATABASE $db_name"
    database_url="jdbc:postgresql://127.0.0.1:5432/$db_name?user=postgres" ;;
  *) echo "unknown database kind: $kind" >&2; exit 2 ;;
esac

cleanup() {
  [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [[ "$kind" == postgresql ]] && psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT

SUBSTATE_PORT=$port SUBSTATE_DATABASE_URL="$database_url" SUBSTATE_ADMIN_TOKEN="$token" SUBSTATE_LOG_LEVEL=WARN \
  java -Xms512m -Xmx1g -jar target/substate.jar serve > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$work/server.log"; exit 1; }

echo "== $kind, $(nproc) cores, server and load generator on this machine"
SUBSTATE_URL="http://127.0.0.1:$port" SUBSTATE_ADMIN_TOKEN="$token" bench/stripe-webhooks.sh | tee "$work/bench.out"

acknowledged=$(grep -o '200=[0-9]*' "$work/bench.out" | head -1 | cut -d= -f2)
case "$kind" in
  sqlite) stored=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) + coalesce(sum(duplicate_deliveries),0) from stripe_events where status in ('processed','stale')\").fetchone()[0])" "$work/substate.db") ;;
  postgresql) stored=$(psql -tAq "postgresql://postgres@127.0.0.1:5432/$db_name" -c "select count(*) + coalesce(sum(duplicate_deliveries),0) from stripe_events where status in ('processed','stale')") ;;
esac
echo "acknowledged with 200: ${acknowledged:-0}; stored (processed or stale, plus duplicate deliveries): $stored"
if [[ "${acknowledged:-0}" != "$stored" ]]; then
  echo "MISMATCH: an acknowledged event is missing from the database" >&2
  exit 1
fi
