#!/usr/bin/env bash
# Starts a fresh Substate server on SQLite or PostgreSQL, runs a command against it, then stops it and drops its data.
#
# Usage: bench/with-server.sh sqlite|postgresql <command> [args…]
# The command gets SUBSTATE_URL, SUBSTATE_ADMIN_TOKEN and BENCH_DATABASE (the SQLite file, or the PostgreSQL URL of
# the fresh database) in its environment. Builds target/substate.jar first if it is missing.
# BENCH_JAVA_OPTS adds JVM options to the server only (e.g. a JFR recording); BENCH_JAR runs another build of the
# server (default target/substate.jar), so two builds can be compared back to back.
# BENCH_SERVER_LOG keeps the server's output in that file (default: dropped with the run's directory).
# BENCH_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/test) is where the fresh database is created.
# BENCH_PG_URL_PARAMS adds parameters to the server's PostgreSQL JDBC URL (e.g. '&reWriteBatchedInserts=false').
# BENCH_DATABASE_FROM starts from a copy of a seeded database instead of an empty one: a SQLite file (closed) or the
# name of a PostgreSQL database (no one connected; copied with CREATE DATABASE … TEMPLATE). bench/growth.sh uses it,
# with BENCH_ENCRYPTION_KEY, the key that database's secrets were sealed with (default: a fresh key).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: bench/with-server.sh sqlite|postgresql <command> [args…]}"
shift
[[ -f target/substate.jar ]] || ./mvnw -q -B package -DskipTests
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
# At least 24 characters, as the server requires of a configured admin token.
token="bench-admin-token-$(od -An -N12 -tx1 /dev/urandom | tr -d " \n")"
pg_admin="${BENCH_PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}"
db_name="substate_bench_$RANDOM$RANDOM"

case "$kind" in
  sqlite)
    database_url="jdbc:sqlite:$work/substate.db"
    [[ -z "${BENCH_DATABASE_FROM:-}" ]] || cp "$BENCH_DATABASE_FROM" "$work/substate.db"
    export BENCH_DATABASE="$work/substate.db" ;;
  postgresql)
    psql -q "$pg_admin" -c "CREATE DATABASE $db_name${BENCH_DATABASE_FROM:+ TEMPLATE $BENCH_DATABASE_FROM}"
    database_url="jdbc:postgresql://127.0.0.1:5432/$db_name?user=postgres${BENCH_PG_URL_PARAMS:-}"
    export BENCH_DATABASE="postgresql://postgres@127.0.0.1:5432/$db_name" ;;
  *) echo "unknown database kind: $kind" >&2; exit 2 ;;
esac

cleanup() {
  [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  if [[ "$kind" == postgresql ]]; then psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A fresh key for the stored secrets: PostgreSQL needs one (README, "Secrets at rest"); the database is thrown away.
SUBSTATE_ENCRYPTION_KEY="${BENCH_ENCRYPTION_KEY:-$(head -c 32 /dev/urandom | base64)}" \
SUBSTATE_PORT=$port SUBSTATE_DATABASE_URL="$database_url" SUBSTATE_ADMIN_TOKEN="$token" SUBSTATE_LOG_LEVEL=WARN \
  java -Xms512m -Xmx1g ${BENCH_JAVA_OPTS:-} -jar "${BENCH_JAR:-target/substate.jar}" serve > "${BENCH_SERVER_LOG:-$work/server.log}" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$work/server.log"; exit 1; }

echo "== $kind, $(nproc) cores, server and load generator on this machine"
SUBSTATE_URL="http://127.0.0.1:$port" SUBSTATE_ADMIN_TOKEN="$token" "$@"
