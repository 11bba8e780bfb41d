#!/usr/bin/env bash
# The webhook benchmark plus the server's CPU time per acknowledged event, in total and in its group-commit threads.
# CPU per event moves far less than events/s when other work shares the machine, so it is the figure to compare
# changes by. Usage: BENCH_EVENTS=200000 BENCH_DURATION=20s bench/with-server.sh sqlite|postgresql bench/webhooks-cpu.sh
set -euo pipefail
port=${SUBSTATE_URL##*:}
pid=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
cpu() { # total ticks of process, and of group-commit threads
  local t=0 c=0
  read -r -a f < <(sed 's/.*) //' /proc/$pid/stat); t=$(( f[11] + f[12] ))
  for task in /proc/$pid/task/*; do
    if [[ "$(cat $task/comm)" == group-commit* ]]; then read -r -a g < <(sed 's/.*) //' $task/stat); c=$(( c + g[11] + g[12] )); fi
  done
  echo "$t $c"
}
# CPU is counted over the measured run only: the warm-up's end is read from the script's output.
out=$( (bench/stripe-webhooks.sh | while IFS= read -r line; do
  [[ "$line" == signing* ]] && cpu > "${TMPDIR:-/tmp}/substate-cpu-$pid"
  echo "$line"; done) )
read -r t0 c0 < "${TMPDIR:-/tmp}/substate-cpu-$pid"
read -r t1 c1 < <(cpu)
n=$(echo "$out" | grep -v "^warm-up" | grep -o "200=[0-9]*" | head -1 | cut -d= -f2)
echo "$out" | grep -E "events/s|p50|p99" | tr '\n' ' '
hz=$(getconf CLK_TCK)
python3 -c "import sys; t,c,n,hz=map(int,sys.argv[1:]); print(f'server CPU {t/hz*1e6/n:.0f} us/event, committer CPU {c/hz*1e6/n:.0f} us/event')" $((t1-t0)) $((c1-c0)) $n $hz
