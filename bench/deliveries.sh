#!/usr/bin/env bash
# Whether outgoing deliveries keep up, on a fresh SQLite or PostgreSQL server, in one run (bench/Deliveries.java):
# ingest with one webhook integration against none, a burst's time to deliver against its time to acknowledge, and
# 200 -> delivery latency at half the ingest capacity, alone and beside an integration whose receiver hangs.
#
# Usage: bench/deliveries.sh sqlite|postgresql
# Environment: BENCH_CONNECTIONS (32), BENCH_BURST (15 s), BENCH_PACED (10 s), BENCH_WARMUP (10 s); BENCH_JAR and
# BENCH_JAVA_OPTS as in bench/with-server.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bench/with-server.sh "${1:?usage: bench/deliveries.sh sqlite|postgresql}" java bench/Deliveries.java
