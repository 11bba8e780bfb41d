#!/usr/bin/env bash
# Benchmark of the chart API: every chart over a year of daily points for a project with 100,000 purchases, on
# SQLite and PostgreSQL (io.substate.charts.ChartsBenchmark in the test tree; it starts its own servers).
#
# Usage:  bench/charts.sh [purchases] [sqlite,postgresql]
# Needs:  a JDK 17+, and PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres, database test; override with
#         SUBSTATE_TEST_PG_URL) for the PostgreSQL run. Loads take about a minute per database.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B ${MVN_OFFLINE:-} test-compile
./mvnw -q -B ${MVN_OFFLINE:-} dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dlogback.configurationFile=bench/logback-quiet.xml \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.substate.charts.ChartsBenchmark "${1:-100000}" "${2:-sqlite,postgresql}"
