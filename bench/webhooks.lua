-- wrk script for bench/stripe-webhooks.sh: each thread replays its own slice of the pre-signed deliveries
-- (line i goes to thread i % threads), so no two threads send the same event.
-- Environment: BENCH_EVENTS_FILE (lines "<Stripe-Signature>\t<body>"), BENCH_APP_ID, BENCH_THREADS.

local events_file = os.getenv("BENCH_EVENTS_FILE")
local app_id = os.getenv("BENCH_APP_ID")
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
local total_events = 0
local threads = {}
local next_thread_index = 0

function setup(thread)
  thread:set("index", next_thread_index)
  next_thread_index = next_thread_index + 1
  table.insert(threads, thread)
end

-- Each thread formats its requests once, here. Formatting one per request (a new string of a few KiB each time) kept
-- LuaJIT's collector working through a heap that holds every event, on a thread that also times the answers: in
-- paired runs wrk's p99 fell from ~44 to ~32 ms with this, while the server's, from its packets on the wire
-- (bench/wire-latency.sh), stayed at ~20 ms.
local requests = {}
local cursor = 0

function init(args)
  local path = "/v1/incoming-webhooks/stripe/" .. app_id
  local line_number = 0
  for line in io.lines(events_file) do
    if line_number % thread_count == index then
      local tab = line:find("\t", 1, true)
      requests[#requests + 1] = wrk.format("POST", path, {
        ["Content-Type"] = "application/json; charset=utf-8",
        ["Stripe-Signature"] = line:sub(1, tab - 1),
        ["User-Agent"] = "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
      }, line:sub(tab + 1))
    end
    line_number = line_number + 1
  end
  if #requests == 0 then
    error("no events for thread " .. index .. " in " .. events_file)
  end
  collectgarbage()
end

function request()
  cursor = cursor + 1
  -- `sent` tells done() how many requests went past this thread's unique events (repeats are duplicates).
  sent = cursor
  owned = #requests
  return requests[(cursor - 1) % #requests + 1]
end

-- No response() callback: with one, wrk hands every response's headers and body to Lua as new tables and strings,
-- garbage whose collection delays the thread. wrk counts answers of 400 and above itself; the endpoint answers
-- either 200 or such an error, so every other answer is a 200.

function done(summary, latency)
  local seconds = summary.duration / 1e6
  local repeats = 0
  for _, thread in ipairs(threads) do
    local sent = thread:get("sent") or 0
    local owned = thread:get("owned") or 0
    if sent > owned then
      repeats = repeats + (sent - owned)
    end
  end
  io.write("----- Substate Stripe webhook benchmark -----\n")
  io.write(string.format("requests:     %d in %.1f s\n", summary.requests, seconds))
  io.write(string.format("events/s:     %.0f\n", summary.requests / seconds))
  io.write(string.format("latency p50:  %.2f ms\n", latency:percentile(50) / 1000))
  io.write(string.format("latency p99:  %.2f ms\n", latency:percentile(99) / 1000))
  io.write(string.format("latency p99.9: %.2f ms\n", latency:percentile(99.9) / 1000))
  io.write(string.format("latency max:  %.2f ms\n", latency.max / 1000))
  local failed = summary.errors.status
  io.write(string.format("statuses:     200=%d 4xx/5xx=%d\n", summary.requests - failed, failed))
  io.write(string.format("socket errors: connect=%d read=%d write=%d timeout=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  if repeats > 0 then
    io.write(string.format("WARNING: %d requests re-sent an event already sent (answered as duplicates); "
      .. "raise BENCH_EVENTS for a clean run\n", repeats))
  end
end
