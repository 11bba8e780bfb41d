#!/usr/bin/env bash
# The webhook benchmark plus the server's CPU time per acknowledged event: in total, in its group-commit threads (the
# committer, one thread on SQLite, whose CPU per event caps the throughput) and in its HTTP threads, the bytes it
# wrote to disk per event (the WAL and checkpoints on SQLite; PostgreSQL writes in its own processes), and its read
# system calls per event (sockets, and on SQLite the pages its caches miss). Also the CPU of the JVM's JIT compiler
# threads (high while the server is still warming up: the measured run then understates it) and, on PostgreSQL, of
# every postgres process on the machine, and the WAL PostgreSQL wrote per event. CPU per event moves far less than
# events/s when other work shares the machine, so it is the figure to compare changes by.
# Usage: BENCH_DURATION=20s bench/with-server.sh sqlite|postgresql bench/webhooks-cpu.sh
set -euo pipefail
port=${SUBSTATE_URL##*:}
pid=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
cpu() { # clock ticks of the whole process, of the group-commit threads and of the HTTP threads
  local t c=0 w=0 j=0 name
  read -r -a f < <(sed 's/.*) //' /proc/$pid/stat); t=$(( f[11] + f[12] ))
  for task in /proc/$pid/task/*; do
    # A thread may end between the listing and the reads (Jetty retires idle ones): skip it.
    name="$(cat "$task/comm" 2>/dev/null)" || continue
    g=($(sed 's/.*) //' "$task/stat" 2>/dev/null)) || continue
    (( ${#g[@]} > 12 )) || continue
    case "$name" in
      group-commit*) c=$(( c + g[11] + g[12] )) ;;
      http-*) w=$(( w + g[11] + g[12] )) ;;
      C1\ Compiler*|C2\ Compiler*) j=$(( j + g[11] + g[12] )) ;;
    esac
  done
  echo "$t $c $w $j $(pg_ticks) $(awk '/^write_bytes/ {print $2}' /proc/$pid/io) $(awk '/^syscr/ {print $2}' /proc/$pid/io) $(pg_wal)"
}
pg_ticks() { # clock ticks of every PostgreSQL process on this machine (0 on SQLite: its work is in the server's)
  if [[ "${BENCH_DATABASE:-}" != postgresql://* ]]; then echo 0; return; fi
  local sum=0 p
  for p in $(pgrep -x postgres); do
    g=($(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null)) || continue
    (( ${#g[@]} > 14 )) && sum=$(( sum + g[11] + g[12] + g[13] + g[14] ))
  done
  echo "$sum"
}
pg_wal() { # bytes of WAL PostgreSQL has written so far, all databases together (0 on SQLite)
  if [[ "${BENCH_DATABASE:-}" != postgresql://* ]]; then echo 0; return; fi
  psql -At "$BENCH_DATABASE" -c "SELECT (pg_current_wal_lsn() - '0/0')::bigint"
}
# CPU is counted over the measured run only: the warm-up's end is read from the script's output.
out=$( (bench/stripe-webhooks.sh | while IFS= read -r line; do
  [[ "$line" == signing* ]] && cpu > "${TMPDIR:-/tmp}/substate-cpu-$pid"
  echo "$line"; done) )
read -r t0 c0 w0 j0 p0 b0 r0 l0 < "${TMPDIR:-/tmp}/substate-cpu-$pid"
read -r t1 c1 w1 j1 p1 b1 r1 l1 < <(cpu)
n=$(echo "$out" | grep -v "^warm-up" | grep -o "200=[0-9]*" | head -1 | cut -d= -f2)
echo "$out" | grep -E "events/s|p50|p99|WARNING" | tr '\n' ' '
hz=$(getconf CLK_TCK)
python3 -c "import sys; t,c,w,j,p,b,r,l,n,hz=map(int,sys.argv[1:]); pg=f', PostgreSQL {p/hz*1e6/n:.0f}' if p else ''; wal=f'; PostgreSQL WAL {l/n/1024:.1f} KiB/event' if l else ''; print(f'server CPU {t/hz*1e6/n:.0f} us/event, committer {c/hz*1e6/n:.0f}, HTTP threads {w/hz*1e6/n:.0f}, JIT compiler {j/hz*1e6/n:.0f}{pg}; written to disk {b/n/1024:.1f} KiB/event; read calls {r/n:.1f}/event{wal}')" \
  $((t1-t0)) $((c1-c0)) $((w1-w0)) $((j1-j0)) $((p1-p0)) $((b1-b0)) $((r1-r0)) $((l1-l0)) $n $hz
