-- wrk script for bench/stripe-webhooks.sh: each thread replays its own slice of the pre-signed deliveries
-- (line i goes to thread i % threads), so no two threads send the same event.
-- Environment: BENCH_EVENTS_FILE (lines "<Stripe-Signature>\t<body>"), BENCH_APP_ID, BENCH_THREADS.

local events_file = os.getenv("BENCH_EVENTS_FILE")
local app_id = os.getenv("BENCH_APP_ID")
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "2")
local total_events = 0
local threads = {}
local next_thread_index = 0

function setup(thread)
  thread:set("index", next_thread_index)
  next_thread_index = next_thread_index + 1
  table.insert(threads, thread)
end

local signatures = {}
local bodies = {}
local cursor = 0
local path

function init(args)
  path = "/v1/incoming-webhooks/stripe/" .. app_id
  local line_number = 0
  for line in io.lines(events_file) do
    if line_number % thread_count == index then
      local tab = line:find("\t", 1, true)
      signatures[#signatures + 1] = line:sub(1, tab - 1)
      bodies[#bodies + 1] = line:sub(tab + 1)
    end
    line_number = line_number + 1
  end
  if #bodies == 0 then
    error("no events for thread " .. index .. " in " .. events_file)
  end
end

function request()
  cursor = cursor + 1
  local i = (cursor - 1) % #bodies + 1
  -- `sent` tells done() how many requests went past this thread's unique events (repeats are duplicates).
  sent = cursor
  owned = #bodies
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json; charset=utf-8",
    ["Stripe-Signature"] = signatures[i],
    ["User-Agent"] = "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
  }, bodies[i])
end

statuses = {}

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local repeats = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    local sent = thread:get("sent") or 0
    local owned = thread:get("owned") or 0
    if sent > owned then
      repeats = repeats + (sent - owned)
    end
    local counts = thread:get("statuses") or {}
    for status, count in pairs(counts) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  io.write("----- Substate Stripe webhook benchmark -----\n")
  io.write(string.format("requests:     %d in %.1f s\n", summary.requests, seconds))
  io.write(string.format("events/s:     %.0f\n", summary.requests / seconds))
  io.write(string.format("latency p50:  %.2f ms\n", latency:percentile(50) / 1000))
  io.write(string.format("latency p99:  %.2f ms\n", latency:percentile(99) / 1000))
  io.write(string.format("latency max:  %.2f ms\n", latency.max / 1000))
  local parts = {}
  for status, count in pairs(by_status) do
    parts[#parts + 1] = status .. "=" .. count
  end
  table.sort(parts)
  io.write("statuses:     " .. table.concat(parts, " ") .. "\n")
  io.write(string.format("socket errors: connect=%d read=%d write=%d timeout=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  if repeats > 0 then
    io.write(string.format("WARNING: %d requests re-sent an event already sent (answered as duplicates); "
      .. "raise BENCH_EVENTS for a clean run\n", repeats))
  end
end
