#!/usr/bin/env bash
# Ingest with one and with two Substate instances on one PostgreSQL, both behind HAProxy (round robin, as
# compose.yaml runs them), in one run: the same webhook benchmark (bench/stripe-webhooks.sh) first through a balancer
# with one instance, then through one with both.
#
# Usage: bench/instances.sh
# Needs: haproxy, wrk, curl, psql (a PostgreSQL at 127.0.0.1:5432 with trust authentication) and a JDK 17+.
# Environment: BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_EVENTS as in bench/stripe-webhooks.sh (default
# warm-up here 30s per run: it also warms the second instance, which the one-instance run never reached); BENCH_JAR
# runs another build (default target/substate.jar).
# On one machine both instances share its cores with PostgreSQL and the load generator, so the figure says what a
# second instance costs or gives on the same hardware, not what a second machine would add.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/substate.jar ]] || ./mvnw -q -B package -DskipTests
export BENCH_WARMUP="${BENCH_WARMUP:-30s}"
work="$(mktemp -d)"
pg_admin="${BENCH_PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}"
db_name="substate_bench_$RANDOM$RANDOM"
# At least 24 characters, as the server requires of a configured admin token.
token="bench-admin-token-$(od -An -N12 -tx1 /dev/urandom | tr -d " \n")"
encryption_key="$(head -c 32 /dev/urandom | base64)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -q "$pg_admin" -c "CREATE DATABASE $db_name"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=()
for i in 1 2; do
  port="$(free_port)"
  ports+=("$port")
  SUBSTATE_PORT=$port SUBSTATE_DATABASE_URL="jdbc:postgresql://127.0.0.1:5432/$db_name?user=postgres" \
    SUBSTATE_ADMIN_TOKEN="$token" SUBSTATE_ENCRYPTION_KEY="$encryption_key" SUBSTATE_LOG_LEVEL=WARN \
    java -Xms512m -Xmx1g -jar "${BENCH_JAR:-target/substate.jar}" serve > "$work/server-$i.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$work/server-$i.log"; exit 1; }
done

# Not called in a command substitution: its HAProxy must join pids in this shell, so that cleanup stops it (one left
# running keeps the benchmark lock it inherited).
balancer() {   # balancer <config name> <ports…>: starts HAProxy over those instances; its URL in $balancer_url
  local name="$1"; shift
  local port; port="$(free_port)"
  {
    printf 'defaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n'
    printf 'frontend substate\n    bind 127.0.0.1:%s\n    default_backend substate\n' "$port"
    printf 'backend substate\n    balance roundrobin\n'
    local n=0
    for p in "$@"; do n=$((n + 1)); printf '    server s%s 127.0.0.1:%s\n' "$n" "$p"; done
  } > "$work/$name.cfg"
  haproxy -db -f "$work/$name.cfg" > "$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 40); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.25; done
  balancer_url="http://127.0.0.1:$port"
}

# Each instance's group-commit counters and the database's deadlocks: units of two instances that touch the same
# purchase (a subscription's created and updated, sent round robin) conflict, and a batch with a conflict is rolled
# back and rerun unit by unit.
commit_stats() {
  local p
  for p in "${ports[@]}"; do
    curl -sf "http://127.0.0.1:$p/metrics" | awk -v port="$p" '
      /^substate_group_commit_batches_total/ {b=$NF} /^substate_group_commit_batches_rerun_total/ {r=$NF}
      /^substate_group_commit_unit_retries_total/ {u=$NF}
      END {printf "instance :%s batches %d, rerun %d, unit retries %d; ", port, b, r, u}'
  done
  echo "deadlocks $(psql -tAq "postgresql://postgres@127.0.0.1:5432/$db_name" \
    -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")"
}

balancer one "${ports[0]}"; one="$balancer_url"
balancer two "${ports[0]}" "${ports[1]}"; two="$balancer_url"
echo "== PostgreSQL, $(nproc) cores; instances, PostgreSQL, HAProxy and wrk on this machine"
echo "-- one instance behind the balancer"
commit_stats
SUBSTATE_URL="$one" SUBSTATE_ADMIN_TOKEN="$token" bench/stripe-webhooks.sh | tee "$work/one.out"
commit_stats
echo "-- two instances behind the balancer"
SUBSTATE_URL="$two" SUBSTATE_ADMIN_TOKEN="$token" bench/stripe-webhooks.sh | tee "$work/two.out"
commit_stats
rate() { grep '^events/s:' "$1" | tail -1 | awk '{print $2}'; }
p99() { grep '^latency p99:' "$1" | tail -1 | awk '{print $3}'; }
r1="$(rate "$work/one.out")"; r2="$(rate "$work/two.out")"
l1="$(p99 "$work/one.out")"; l2="$(p99 "$work/two.out")"
echo "one instance: $r1 events/s, p99 $l1 ms; two instances: $r2 events/s, p99 $l2 ms;" \
  "ratio two/one: $(python3 -c "print(round($r2/$r1, 2))") events/s, $(python3 -c "print(round($l2/$l1, 2))") p99"
