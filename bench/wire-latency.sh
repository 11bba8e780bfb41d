#!/usr/bin/env bash
# The webhook benchmark, plus the server's latency as the network sees it: tcpdump records the loopback packets of
# the measured run, and each request's time is from its last packet in to the first packet of its answer out. This
# is the latency Stripe, on another machine, would see. wrk's own figures add the time wrk's threads take to be
# woken and read an answer on the same two cores, which on this machine grows the tail (BENCHMARKS.md).
# Needs tcpdump (apt-get install -y tcpdump) and the right to capture (root or CAP_NET_RAW).
# Usage: bench/with-server.sh sqlite|postgresql bench/wire-latency.sh
set -euo pipefail
command -v tcpdump >/dev/null || { echo "missing tool: tcpdump (apt-get install -y tcpdump)" >&2; exit 1; }
port=${SUBSTATE_URL##*:}
capture="$(mktemp)"
# tcpdump is started inside the pipeline below, so its pid is kept in a file: stopped here too if the run fails.
trap '[[ -f "$capture.pid" ]] && kill "$(cat "$capture.pid")" 2>/dev/null; rm -f "$capture" "$capture.pid"' EXIT
# Only packets that carry data (PSH): requests in, answers out. The capture starts while the measured run's events
# are signed, after the warm-up, so it holds the measured run alone.
bench/stripe-webhooks.sh | while IFS= read -r line; do
  if [[ "$line" == signing* ]]; then
    tcpdump -i lo -nn -tt -q -s 96 "tcp port $port and (tcp[tcpflags] & tcp-push != 0)" > "$capture" 2>/dev/null &
    echo "$!" > "$capture.pid"
  fi
  echo "$line"
done | grep -E "events/s|p50|p99|statuses"
sleep 1; kill "$(cat "$capture.pid")"; rm -f "$capture.pid"
sleep 0.5  # tcpdump flushes its last lines as it exits
python3 - "$port" "$capture" <<'PY'
import re, sys
port, path = sys.argv[1], sys.argv[2]
waiting, latencies = {}, []
for line in open(path):
    m = re.match(r'(\d+\.\d+) IP [\d.]+\.(\d+) > [\d.]+\.(\d+): tcp (\d+)', line)
    if not m or m.group(4) == '0':
        continue
    at, source, target = float(m.group(1)), m.group(2), m.group(3)
    if target == port:
        waiting[source] = at
    elif source == port and target in waiting:
        latencies.append((at - waiting.pop(target)) * 1000)
if not latencies:
    sys.exit("no request/answer pairs captured")
latencies.sort()
at = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q / 100))]
print(f"on the wire: {len(latencies)} answers, p50 {at(50):.2f} ms, p99 {at(99):.2f} ms, "
      f"p99.9 {at(99.9):.2f} ms, max {latencies[-1]:.2f} ms")
PY
