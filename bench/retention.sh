#!/usr/bin/env bash
# Pruning a million old Stripe events while webhooks run (README, "Retention"), in one run on a fresh server:
#   1. a project with two apps: "bench", which takes the webhook load, and "archive", which is given real history
#      (a few seconds of webhooks: purchases, spans, outgoing events) and a webhook integration;
#   2. the webhook benchmark (bench/stripe-webhooks.sh, 60 s warm-up, 20 s measured) on "bench": without pruning;
#   3. bench/retention_seed.py gives "archive" BENCH_OLD_EVENTS (default 1,000,000) processed Stripe events received
#      100 to ~450 days ago, each with a payload of about 5,100 bytes, an outgoing event, a succeeded delivery and
#      its attempt (set-based SQL, one transaction), and moves its real events 200 days back;
#   4. at once the webhook benchmark again (no warm-up, 20 s) while the server's retention job (tick
#      SUBSTATE_RETENTION_TICK, default here 1s) prunes them; a sampler reads substate_retention_pruned_total from
#      /metrics every second;
#   5. waits until every old payload is emptied and every old attempt deleted, runs the benchmark once more (after
#      pruning), and checks that what retention keeps (events' rows, purchases, transactions, spans, outgoing events,
#      deliveries) has the same counts as before.
# Prints webhook events/s and p99 without and during pruning (and their ratios), rows pruned per second (during the
# measured webhook run and overall) and the time to prune all.
#
# Usage: bench/retention.sh sqlite|postgresql
# Needs what bench/with-server.sh and bench/stripe-webhooks.sh need, and python3. Wrap it in
# flock /tmp/substate-bench.lock like every benchmark. BENCH_OLD_EVENTS, BENCH_WARMUP and BENCH_DURATION (of each
# measured run) change the sizes (a smoke test: BENCH_OLD_EVENTS=2000 BENCH_WARMUP=0 BENCH_DURATION=3s);
# BENCH_PRUNE_TIMEOUT (default 900 s) bounds step 5's wait.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: bench/retention.sh sqlite|postgresql}"
if [[ -z "${SUBSTATE_URL:-}" ]]; then
  SUBSTATE_RETENTION_TICK="${SUBSTATE_RETENTION_TICK:-1s}" exec bench/with-server.sh "$kind" "$0" "$kind"
fi

# shellcheck source=bench/lib.sh
source bench/lib.sh
old_events="${BENCH_OLD_EVENTS:-1000000}"
duration="${BENCH_DURATION:-20s}"
work="$(mktemp -d)"
sampler=""
trap '[[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null; rm -rf "$work"' EXIT

project="$(admin_post /v2/projects '{"name":"retention bench"}' | json_id)"
new_app() {   # new_app <name> <secret>: a tracking Stripe app, prints its id
  admin_post "/v2/projects/$project/apps" "{\"name\":\"$1\",\"type\":\"stripe\",\"stripe\":{\"webhook_secret\":\"$2\",\
\"track_new_purchases\":true,\"app_user_id_detection\":\"stripe_customer_id\"}}" | json_id
}
bench_secret="whsec_bench$RANDOM$RANDOM"
archive_secret="whsec_archive$RANDOM$RANDOM"
bench_app="$(new_app bench "$bench_secret")"
archive_app="$(new_app archive "$archive_secret")"

# Stamps each line with the time, so the measured window can be matched with the pruning samples.
stamped() { while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done; }
webhooks() {   # webhooks <app> <secret> <warm-up> <duration> <output>
  SUBSTATE_APP_ID="$1" BENCH_WEBHOOK_SECRET="$2" BENCH_WARMUP="$3" BENCH_DURATION="$4" \
    bench/stripe-webhooks.sh | stamped | tee "$5" | cut -d' ' -f2-
}
rate() { grep ' events/s:' "$1" | awk '{print $3}'; }
p99() { grep ' latency p99:' "$1" | awk '{print $4}'; }

echo "-- history for the archive app (real webhooks, 5 s)"
webhooks "$archive_app" "$archive_secret" 0 5s "$work/archive.out" | grep -E 'events/s|statuses'
integration="$(admin_post "/v2/projects/$project/integrations/webhooks" \
  "{\"name\":\"archive receiver\",\"url\":\"http://127.0.0.1:9/\",\"app_id\":\"$archive_app\"}" | json_id)"

echo "-- webhooks without pruning"
webhooks "$bench_app" "$bench_secret" "${BENCH_WARMUP:-60s}" "$duration" "$work/without.out"

pruned() {   # prints "<payloads> <attempts>" pruned so far, from the server's counters
  curl -sf "$SUBSTATE_URL/metrics" | awk '/^substate_retention_pruned_total\{kind="stripe_payloads"/ {p=$NF}
    /^substate_retention_pruned_total\{kind="delivery_attempts"/ {a=$NF} END {printf "%d %d\n", p, a}'
}
base="$(pruned)"
( while true; do printf '%s %s\n' "$(date +%s.%N)" "$(pruned)"; sleep 1; done ) > "$work/samples" &
sampler=$!

echo "-- seeding $old_events old events (with outgoing events, deliveries and attempts)"
seeded="$(python3 bench/retention_seed.py seed "$BENCH_DATABASE" "$project" "$archive_app" "$integration" \
  "$old_events")"
read -r seconds before <<< "$seeded"
seeded_at="$(date +%s.%N)"
echo "seeded in $seconds s; archive app at the commit: $before"
field() { tr ' ' '\n' <<< "$1" | grep "^$2=" | cut -d= -f2; }
payload_target="$(field "$before" prunable_payloads)"
attempt_target="$(field "$before" attempts)"

echo "-- webhooks during pruning"
webhooks "$bench_app" "$bench_secret" 0 "$duration" "$work/during.out"

echo "-- waiting until everything old is pruned"
deadline=$(( $(date +%s) + ${BENCH_PRUNE_TIMEOUT:-900} ))
read -r base_p base_a <<< "$base"
until awk -v p="$((base_p + payload_target))" -v a="$((base_a + attempt_target))" \
    'END {exit !($2 >= p && $3 >= a)}' "$work/samples"; do
  (( $(date +%s) < deadline )) || { echo "TIMEOUT: pruning did not finish; last sample: $(tail -1 "$work/samples")" >&2; exit 1; }
  sleep 1
done
kill "$sampler"; sampler=""

echo "-- webhooks after pruning"
webhooks "$bench_app" "$bench_secret" 0 "$duration" "$work/after.out"

after="$(python3 bench/retention_seed.py counts "$BENCH_DATABASE" "$archive_app" "$integration")"
echo "archive app after: $after"

# The measured window of the run during pruning: wrk's measured seconds, up to its summary (wrk loads its events
# for a few seconds before it sends the first).
window_end="$(grep ' ----- Substate' "$work/during.out" | awk '{print $1}')"
window_start="$(grep ' requests: ' "$work/during.out" | awk -v end="$window_end" '{printf "%.3f", end - $5}')"
python3 - "$work/samples" "$seeded_at" "$window_start" "$window_end" "$base" "$payload_target" "$attempt_target" \
    "$(rate "$work/without.out")" "$(p99 "$work/without.out")" "$(rate "$work/during.out")" \
    "$(p99 "$work/during.out")" "$(rate "$work/after.out")" "$(p99 "$work/after.out")" <<'EOF'
import sys
samples_file, seeded, w0, w1, base, pt, at = sys.argv[1:8]
r0, l0, r1, l1, r2, l2 = map(float, sys.argv[8:14])
seeded, w0, w1 = float(seeded), float(w0), float(w1)
bp, ba = map(int, base.split())
target = int(pt) + int(at)
samples = [(float(t), int(p) - bp + int(a) - ba) for t, p, a in (l.split() for l in open(samples_file))]
done = next(t for t, n in samples if n >= target)
def at_time(when):   # rows pruned by the last sample at or before `when`
    return max([n for t, n in samples if t <= when] or [0])
in_window = at_time(w1) - at_time(w0)
print("== retention: %d payloads emptied and %d attempts deleted" % (int(pt), int(at)))
print("webhooks without pruning: %.0f events/s, p99 %.2f ms; after pruning: %.0f events/s, p99 %.2f ms" % (r0, l0, r2, l2))
print("webhooks during pruning:  %.0f events/s, p99 %.2f ms; ratio to without: %.2f events/s, %.2f p99"
      % (r1, l1, r1 / r0, l1 / l0))
print("pruned during the measured webhook run: %d rows in %.1f s, %.0f rows/s" % (in_window, w1 - w0, in_window / (w1 - w0)))
print("pruned in all: %d rows in %.1f s after seeding, %.0f rows/s" % (target, done - seeded, target / (done - seeded)))
EOF

kept() { tr ' ' '\n' <<< "$1" | grep -vE '^(prunable_payloads|attempts)='; }
if [[ "$(kept "$before")" != "$(kept "$after")" ]]; then
  echo "MISMATCH: retention changed what it keeps" >&2
  exit 1
fi
if [[ "$(field "$after" prunable_payloads)" != 0 || "$(field "$after" attempts)" != 0 ]]; then
  echo "MISMATCH: old payloads or attempts are left" >&2
  exit 1
fi
echo "kept, unchanged: $(kept "$after" | paste -sd' ')"
