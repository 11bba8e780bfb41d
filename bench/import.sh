#!/usr/bin/env bash
# Benchmark of `substate stripe import`: how fast a whole Stripe account is imported, and that the importer's memory
# does not grow with the account's size.
#
# Usage: bench/import.sh [sqlite|postgresql]        (default sqlite)
#
# For BENCH_SUBSCRIPTIONS (default 100000) and then a tenth of it, each on a fresh database:
#   1. starts bench/FakeStripeAccount.java with that many subscriptions (plus its one-time Checkout Sessions and
#      refunds; see that file), which generates every object from its index, so it holds nothing in memory;
#   2. runs `serve` briefly on the fresh database to create a project and a Stripe app through the admin API, with the
#      fake's key, App User IDs from the metadata key app_user_id, and the fake's three products unlocking entitlements;
#   3. runs `java -jar target/substate.jar stripe import --app <app>` against the fake (no server running) and prints
#      its summary, wall time (the whole command, JVM start and migrations included), objects/s (subscriptions and
#      checkout sessions the summary says were read, over the wall time), peak RSS (/usr/bin/time -v, else sampled
#      VmHWM) and heap after GC: the JVM logs every collection (-Xlog:gc) and `jcmd <pid> GC.run` forces a full one
#      every BENCH_GC_SAMPLE_SECONDS, so "live heap" is the most the importer held at once, not garbage waiting for a
#      collection;
#   then prints both runs side by side with their ratio (exit code 1 when an import did not exit 0).
#
# Needs a JDK 17+ (java, jcmd), curl, python3, and psql for PostgreSQL (expected at 127.0.0.1:5432, user postgres).
# Builds target/substate.jar if missing. Environment:
#   BENCH_SUBSCRIPTIONS      subscriptions of the large run (default 100000); the small run has a tenth
#   BENCH_IMPORT_HEAP        the importer's -Xmx (default 512m)
#   BENCH_IMPORT_JAVA_OPTS   more JVM options for the importer (default -XX:+UseSerialGC)
#   BENCH_IMPORT_ARGS        more arguments for `stripe import` (e.g. "--concurrency 8", "--dry-run")
#   BENCH_FAKE_OPTS          options of FakeStripeAccount (e.g. "--rate-limit-every 50 --latency-ms 100")
#   BENCH_GC_SAMPLE_SECONDS  seconds between forced full GCs (default 15; 0 = none, then only the GC log counts)
#   BENCH_JAR                the build to run (default target/substate.jar)
#   BENCH_PG_ADMIN_URL       where the fresh PostgreSQL databases are made (default postgresql://postgres@127.0.0.1:5432/test)
#   BENCH_KEEP=1             keep the work directory (logs, GC logs, SQLite files) and print where it is
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-sqlite}"
case "$kind" in sqlite|postgresql) ;; *) echo "usage: bench/import.sh [sqlite|postgresql]" >&2; exit 2 ;; esac
for tool in java jcmd curl python3; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
large="${BENCH_SUBSCRIPTIONS:-100000}"
small=$((large / 10))
jar="${BENCH_JAR:-target/substate.jar}"
heap="${BENCH_IMPORT_HEAP:-512m}"
java_opts="${BENCH_IMPORT_JAVA_OPTS:--XX:+UseSerialGC}"
gc_every="${BENCH_GC_SAMPLE_SECONDS:-15}"
pg_admin="${BENCH_PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}"
fake_key="rk_test_FakeStripeAccountBenchKey"
token="bench-admin-token-$RANDOM$RANDOM"
# PostgreSQL requires a key for the stored secrets (the app's Stripe key); serve and the importer share it.
export SUBSTATE_ENCRYPTION_KEY="${SUBSTATE_ENCRYPTION_KEY:-$(head -c 32 /dev/urandom | base64)}"
[[ -f "$jar" ]] || ./mvnw -o -q -B package -DskipTests
work="$(mktemp -d)"
pids=()
databases=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for db in "${databases[@]}"; do psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; done
  if [[ -n "${BENCH_KEEP:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

json_field() {
  grep -o "\"$1\" *: *\"[^\"]*\"" | head -n 1 | sed -E 's/.*"([^"]*)"$/\1/'
}

admin_post() {
  local response
  if ! response="$(curl -sS --fail-with-body -X POST "$server_url$1" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "$2")"; then
    echo "POST $1 failed: $response" >&2
    exit 1
  fi
  printf '%s' "$response"
}

# Starts the fake account with $1 subscriptions; sets fake_pid and fake_url.
start_fake() {
  # shellcheck disable=SC2086
  java -Xmx256m bench/FakeStripeAccount.java 0 "$1" ${BENCH_FAKE_OPTS:-} > "$work/fake-$1.out" 2> "$work/fake-$1.err" &
  fake_pid=$!
  pids+=("$fake_pid")
  for _ in $(seq 1 240); do
    grep -q '^listening on' "$work/fake-$1.out" 2>/dev/null && break
    kill -0 "$fake_pid" 2>/dev/null || { cat "$work/fake-$1.err" >&2; exit 1; }
    sleep 0.5
  done
  fake_url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/fake-$1.out" | head -n 1)"
  [[ -n "$fake_url" ]] || { echo "the fake Stripe account did not start" >&2; exit 1; }
  echo "fake Stripe account: $(head -n 1 "$work/fake-$1.out")"
}

# A fresh database for run $1; sets database_url (JDBC) and database (for queries).
fresh_database() {
  if [[ "$kind" == sqlite ]]; then
    database_url="jdbc:sqlite:$work/import-$1.db"
    database="$work/import-$1.db"
  else
    local name="substate_import_bench_$RANDOM$RANDOM"
    psql -q "$pg_admin" -c "CREATE DATABASE $name"
    databases+=("$name")
    database_url="jdbc:postgresql://127.0.0.1:5432/$name?user=postgres"
    database="postgresql://postgres@127.0.0.1:5432/$name"
  fi
}

query() {
  if [[ "$kind" == postgresql ]]; then
    psql -tAq "$database" -c "$1"
  else
    python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" \
      "$database" "$1"
  fi
}

# Runs serve on the fresh database long enough to create the project, the app and its entitlements; sets app_id.
create_app() {
  local port=$((20000 + RANDOM % 20000))
  server_url="http://127.0.0.1:$port"
  SUBSTATE_PORT=$port SUBSTATE_DATABASE_URL="$database_url" SUBSTATE_ADMIN_TOKEN="$token" SUBSTATE_LOG_LEVEL=WARN \
    SUBSTATE_STRIPE_API_BASE="$fake_url" SUBSTATE_STRIPE_REFRESH_TICK=1h \
    java -Xmx512m -jar "$jar" serve > "$work/serve-$1.log" 2>&1 &
  local server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 1 240); do
    curl -sf "$server_url/health/ready" >/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve-$1.log" >&2; exit 1; }
    sleep 0.5
  done
  local project
  project="$(admin_post /v2/projects "{\"name\":\"import bench $1\"}" | json_field id)"
  app_id="$(admin_post "/v2/projects/$project/apps" "{\"name\":\"bench\",\"type\":\"stripe\",\"stripe\":{\
\"api_key\":\"$fake_key\",\"webhook_secret\":\"whsec_import_bench_0123456789\",\"track_new_purchases\":true,\
\"app_user_id_detection\":\"metadata\",\"metadata_key\":\"app_user_id\"}}" | json_field id)"
  local product type entitlement product_id
  for product in prod_FakePremium:subscription:premium prod_FakePro:subscription:pro prod_FakeLifetime:one_time:lifetime; do
    IFS=: read -r product type entitlement <<< "$product"
    product_id="$(admin_post "/v2/projects/$project/products" \
      "{\"store_identifier\":\"$product\",\"app_id\":\"$app_id\",\"type\":\"$type\"}" | json_field id)"
    entitlement="$(admin_post "/v2/projects/$project/entitlements" \
      "{\"lookup_key\":\"$entitlement\",\"display_name\":\"$entitlement\"}" | json_field id)"
    admin_post "/v2/projects/$project/entitlements/$entitlement/actions/attach_products" \
      "{\"product_ids\":[\"$product_id\"]}" >/dev/null
  done
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  echo "project $project, app $app_id (serve stopped)"
}

# Imports an account of $1 subscriptions; appends one result line to $work/results.
run() {
  local n=$1
  echo "== stripe import of $n subscriptions ($kind, $(nproc) cores)"
  start_fake "$n"
  fresh_database "$n"
  create_app "$n"

  local timer=() gc_log="$work/gc-$n.log"
  [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -v -o "$work/time-$n.txt")
  local started ended status=0
  started=$(date +%s.%N)
  # shellcheck disable=SC2086
  SUBSTATE_DATABASE_URL="$database_url" SUBSTATE_STRIPE_API_BASE="$fake_url" SUBSTATE_LOG_LEVEL=WARN \
    "${timer[@]}" java -Xmx"$heap" $java_opts -Xlog:gc:file="$gc_log" -jar "$jar" \
    stripe import --app "$app_id" ${BENCH_IMPORT_ARGS:-} > "$work/import-$n.out" 2> "$work/import-$n.err" &
  local runner=$! java_pid="" hwm=0 last_gc=$SECONDS
  pids+=("$runner")
  while kill -0 "$runner" 2>/dev/null; do
    if [[ -z "$java_pid" ]]; then
      if [[ ${#timer[@]} -gt 0 ]]; then java_pid="$(pgrep -P "$runner" java || true)"; else java_pid=$runner; fi
    fi
    if [[ -n "$java_pid" && -r /proc/$java_pid/status ]]; then
      local sample
      sample=$(awk '/^VmHWM/ {print $2}' "/proc/$java_pid/status" 2>/dev/null || echo 0)
      (( ${sample:-0} > hwm )) && hwm=$sample
      if (( gc_every > 0 && SECONDS - last_gc >= gc_every )); then
        jcmd "$java_pid" GC.run >/dev/null 2>&1 || true
        last_gc=$SECONDS
      fi
    fi
    sleep 1
  done
  wait "$runner" || status=$?
  ended=$(date +%s.%N)
  kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null || true

  local summary wall rss read_objects live young
  summary="$(tail -n 1 "$work/import-$n.out")"
  wall=$(python3 -c "print(f'{$ended - $started:.1f}')")
  if [[ -f "$work/time-$n.txt" ]]; then
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-$n.txt")
  else
    rss=$hwm
  fi
  # "… completed: 10000 subscriptions, 10500 checkout sessions and 20 refunds read, …": the objects the import read.
  read_objects=$(sed -nE 's/.* ([0-9]+) subscriptions, ([0-9]+) checkout sessions and ([0-9]+) refunds read.*/\1 \2 \3/p' \
    <<< "$summary" | awk '{print $1 + $2 + $3}')
  # Heap after each collection, "GC(7) Pause Full (System.gc()) 210M->38M(512M)": full ones (live) and any.
  live=$( (grep 'Pause Full' "$gc_log" || true) | sed -nE 's/.*->([0-9]+)M\(.*/\1/p' | sort -n | tail -n 1)
  young=$( (cat "$gc_log" 2>/dev/null || true) | sed -nE 's/.*->([0-9]+)M\(.*/\1/p' | sort -n | tail -n 1)
  echo "exit code $status; summary: $summary"
  echo "served: $(tail -n 1 "$work/fake-$n.err")"
  if (( status != 0 )); then
    failures=$((failures + 1))
    echo "stderr of the import (last lines):" >&2
    tail -n 20 "$work/import-$n.err" >&2
  fi
  echo "purchases in the database: $(query 'select count(*) from purchases'), customers: $(query 'select count(*) from customers')"
  python3 - "$n" "$wall" "${read_objects:-}" "${rss:-0}" "${live:-}" "${young:-}" "$status" <<'EOF' | tee -a "$work/results"
import sys
n, wall, objects, rss, live, young, status = sys.argv[1:]
wall = float(wall)
rate = f"{int(objects) / wall:.0f} objects/s" if objects else "objects/s unknown (no summary)"
print(f"{n} subscriptions: exit {status}, wall {wall:.1f} s, {rate}, peak RSS {int(rss) / 1024:.0f} MiB, "
      f"live heap (max after a full GC) {live or '?'} MiB, max heap after any GC {young or '?'} MiB")
EOF
}

failures=0
run "$large"
run "$small"
echo "== both runs ($kind, importer -Xmx$heap $java_opts)"
cat "$work/results"
python3 - "$work/results" <<'EOF'
import re, sys
rows = [line for line in open(sys.argv[1]) if line.strip()]
def number(pattern, row):
    match = re.search(pattern, row)
    return float(match.group(1)) if match else None
big, little = rows[0], rows[1]
for name, pattern in [("peak RSS", r"peak RSS (\d+) MiB"), ("live heap", r"live heap \(max after a full GC\) (\d+) MiB")]:
    a, b = number(pattern, big), number(pattern, little)
    if a and b:
        print(f"{name}: {a:.0f} MiB for 10x the subscriptions vs {b:.0f} MiB: ratio {a / b:.2f}")
EOF
# A failed import measured something else than an import: say so in the exit code too.
(( failures == 0 )) || { echo "$failures import run(s) failed" >&2; exit 1; }
