#!/usr/bin/env bash
# Cost as data grows: the subscriber-read, webhook and chart benchmarks on a small database and on one with a million
# customers already stored, alternately (small, large, small, large…), in one run; prints each figure's ratio
# large/small (BENCHMARKS.md).
#
# Usage:  bench/growth.sh sqlite|postgresql
# Needs:  what bench/subscribers.sh, bench/stripe-webhooks.sh and bench/charts.sh need.
#
# 1. Seeds two template databases with io.substate.customers.GrowthSeed (test tree) at nice 19, outside the lock:
#    one project with a Stripe app and BENCH_GROWTH_SMALL customers (default 1,000), and the same with
#    BENCH_GROWTH_CUSTOMERS (default 1,000,000). Kept in BENCH_GROWTH_DIR (default /tmp/substate-growth; on
#    PostgreSQL the databases substate_growth_small and _large) and reused by later runs with the same counts.
# 2. Each round holds `flock /tmp/substate-bench.lock` (BENCH_LOCK) twice, each time for the small then the large
#    database back to back (10–12 minutes a hold):
#    - a server on a copy of the template (bench/with-server.sh, BENCH_DATABASE_FROM): bench/subscribers.sh and then
#      bench/stripe-webhooks.sh, both with the seeded project's app, so their lookups by id run beside its customers;
#    - io.substate.charts.ChartsBenchmark on another copy: its 100,000 purchases loaded into a project of their own,
#      the seeded customers in the other project beside it (the chart workload stays the same).
# 3. Prints every round's figures, then for each the median over rounds per size and the ratio large/small.
#
# Optional environment: BENCH_GROWTH_ROUNDS (default 2), BENCH_GROWTH_PARTS (subscribers,webhooks,charts),
# BENCH_GROWTH_CHART_PURCHASES (100000), BENCH_GROWTH_BUILD=0 (use the jar and test classes target/ holds, e.g. while
# another run uses them); the variables of the benchmarks it runs (BENCH_DURATION, BENCH_WARMUP…).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: bench/growth.sh sqlite|postgresql}"
[[ "$kind" == sqlite || "$kind" == postgresql ]] || { echo "unknown database kind: $kind" >&2; exit 2; }
customers="${BENCH_GROWTH_CUSTOMERS:-1000000}"
small="${BENCH_GROWTH_SMALL:-1000}"
rounds="${BENCH_GROWTH_ROUNDS:-2}"
parts="${BENCH_GROWTH_PARTS:-subscribers,webhooks,charts}"
chart_purchases="${BENCH_GROWTH_CHART_PURCHASES:-100000}"
dir="${BENCH_GROWTH_DIR:-/tmp/substate-growth}"
lock="${BENCH_LOCK:-/tmp/substate-bench.lock}"
pg_admin="${BENCH_PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}"
# The seeded databases' secrets are sealed with the test suite's key (testing/TestDb.ENCRYPTION_KEY): the seed and
# the chart benchmark start their servers through testing/TestServer.
key="c3Vic3RhdGUtdGVzdC1rZXktMDEyMzQ1Njc4OWFiY2Q="
mkdir -p "$dir"
work="$(mktemp -d)"
results="$work/results.txt"
: > "$results"
trap 'rm -rf "$work"' EXIT

if [[ "${BENCH_GROWTH_BUILD:-1}" != 0 ]]; then
  [[ -f target/substate.jar ]] || ./mvnw -q -B ${MVN_OFFLINE:-} package -DskipTests
  ./mvnw -q -B ${MVN_OFFLINE:-} test-compile
  ./mvnw -q -B ${MVN_OFFLINE:-} dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench-classpath.txt
fi
classpath="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
java_bench=(java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dlogback.configurationFile=bench/logback-quiet.xml
  -cp "$classpath")

# template <size>: the seeded database (a SQLite file, or a PostgreSQL database's name).
template() {
  if [[ "$kind" == sqlite ]]; then echo "$dir/sqlite-$1.db"; else echo "substate_growth_$1"; fi
}
jdbc_url() {
  if [[ "$kind" == sqlite ]]; then echo "jdbc:sqlite:$1"; else echo "jdbc:postgresql://127.0.0.1:5432/$1?user=postgres"; fi
}

seed() {
  local size="$1" count="$2" info="$dir/$kind-$1.info" db
  db="$(template "$size")"
  if [[ -f "$info" ]] && grep -qx "GROWTH_CUSTOMERS=$count" "$info"; then
    echo "== $size: reusing $db ($count customers)"
    return
  fi
  rm -f "$info"
  if [[ "$kind" == sqlite ]]; then
    rm -f "$db" "$db-wal" "$db-shm"
  else
    psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  fi
  echo "== $size: seeding $count customers into $db (nice 19)"
  local started=$SECONDS
  nice -n 19 "${java_bench[@]}" io.substate.customers.GrowthSeed "$(jdbc_url "$db")" "$count" "$info"
  echo "== $size: seeded in $((SECONDS - started)) s"
}

# server_parts <round> <size>: the subscriber and webhook benchmarks on a server over a copy of the template.
server_parts() {
  local round="$1" size="$2" out="$work/server-$1-$2.txt"
  # shellcheck disable=SC1090
  source "$dir/$kind-$size.info"
  echo "== round $round, $size ($GROWTH_CUSTOMERS customers): subscribers, webhooks"
  env BENCH_DATABASE_FROM="$(template "$size")" BENCH_ENCRYPTION_KEY="$key" \
    SUBSTATE_APP_ID="$GROWTH_APP_ID" SUBSTATE_PROJECT_ID="$GROWTH_PROJECT_ID" \
    BENCH_WEBHOOK_SECRET="$GROWTH_WEBHOOK_SECRET" BENCH_PUBLIC_KEY="$GROWTH_PUBLIC_KEY" GROWTH_PARTS="$parts" \
    bench/with-server.sh "$kind" bash -c '
      set -euo pipefail
      [[ ",$GROWTH_PARTS," != *,subscribers,* ]] || bench/subscribers.sh
      [[ ",$GROWTH_PARTS," != *,webhooks,* ]] || bench/stripe-webhooks.sh' | tee "$out"
  awk -v r="$round" -v s="$size" '
    /^health\/live +requests\/s:/ { health = $3 }
    /^subscribers +requests\/s:/ { print r, s, "subscribers_req_per_s", $3; print r, s, "subscribers_p99_ms", $8
                                   if (health) print r, s, "subscribers_share_of_health", $3 / health }
    /^subscribers +server CPU/ { print r, s, "subscribers_server_us", $4 }
    /^events\/s:/ { events = $2 }
    /^latency p99:/ { p99 = $3 }
    END { if (events) { print r, s, "webhooks_events_per_s", events; print r, s, "webhooks_p99_ms", p99 } }
  ' "$out" >> "$results"
}

# charts <round> <size>: ChartsBenchmark's project beside the template's customers, on a copy.
charts() {
  local round="$1" size="$2" out="$work/charts-$1-$2.txt" copy url
  echo "== round $round, $size: charts ($chart_purchases purchases in a project of their own)"
  if [[ "$kind" == sqlite ]]; then
    copy="$work/charts.db"
    cp "$(template "$size")" "$copy"
  else
    copy="substate_growth_charts_$RANDOM$RANDOM"
    psql -q "$pg_admin" -c "CREATE DATABASE $copy TEMPLATE $(template "$size")"
  fi
  url="$(jdbc_url "$copy")"
  "${java_bench[@]}" -Dbench.database="$url" io.substate.charts.ChartsBenchmark "$chart_purchases" \
    "$kind" | tee "$out"
  if [[ "$kind" == sqlite ]]; then
    rm -f "$copy" "$copy-wal" "$copy-shm"
  else
    psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $copy WITH (FORCE)"
  fi
  awk -v r="$round" -v s="$size" '
    /^all \(sum of p50s\)/ { print r, s, "charts_sum_of_p50_ms", $5 }
    /^cohort_explorer \(by month\)/ { print r, s, "charts_cohort_by_month_p50_ms", $4 }
    /^revenue +[0-9]/ { print r, s, "charts_revenue_p50_ms", $2 }
  ' "$out" >> "$results"
}

seed small "$small"
seed large "$customers"
# locked <command…>: runs it holding the benchmark lock (taken here, so no other benchmark overlaps it).
locked() {
  exec 9>"$lock"
  flock 9
  "$@"
  flock -u 9
  exec 9>&-
}
server_pair() { server_parts "$1" small; server_parts "$1" large; }
charts_pair() { charts "$1" small; charts "$1" large; }
for round in $(seq 1 "$rounds"); do
  if [[ ",$parts," == *,subscribers,* || ",$parts," == *,webhooks,* ]]; then locked server_pair "$round"; fi
  if [[ ",$parts," == *,charts,* ]]; then locked charts_pair "$round"; fi
done

echo
echo "== $kind: $small against $customers customers stored, $rounds round(s), median per size"
python3 - "$results" <<'PY'
import statistics, sys
figures = {}
for line in open(sys.argv[1]):
    r, size, name, value = line.split()
    figures.setdefault(name, {}).setdefault(size, []).append(float(value))
# Rates must not fall below 0.8 of the small database's; times and CPU must not exceed 1.2 of it.
higher_is_better = ("req_per_s", "events_per_s", "share_of_health")
print(f"{'figure':32} {'small':>10} {'large':>10} {'large/small':>12}  target  rounds (small | large)")
for name, sizes in figures.items():
    s, l = sizes.get("small", []), sizes.get("large", [])
    if not s or not l:
        continue
    ms, ml = statistics.median(s), statistics.median(l)
    ratio = ml / ms if ms else float("nan")
    better = name.endswith(higher_is_better)
    ok = ratio >= 0.8 if better else ratio <= 1.2
    rounds = " ".join(f"{v:g}" for v in s) + " | " + " ".join(f"{v:g}" for v in l)
    print(f"{name:32} {ms:10.4g} {ml:10.4g} {ratio:12.2f}  {'>= 0.8' if better else '<= 1.2'} "
          f"{'ok  ' if ok else 'MISS'}  {rounds}")
PY
