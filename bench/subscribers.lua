-- wrk script for bench/subscribers.sh: GET /v1/subscribers/{id} round-robin over existing customers, with the app's
-- public key and no X-Platform (an informational read, as a backend checking entitlements makes).
-- Environment: BENCH_IDS_FILE (one App User ID per line), BENCH_PUBLIC_KEY; with BENCH_PATH set (e.g. /health/live),
-- that path instead, without a key (the same script, so both runs are measured and reported alike).

local ids = {}
local cursor = 0
local auth = "Bearer " .. os.getenv("BENCH_PUBLIC_KEY")
local threads = {}
local next_index = 0
local fixed_path = os.getenv("BENCH_PATH")
if fixed_path == "" then fixed_path = nil end

function setup(thread)
  thread:set("index", next_index)
  next_index = next_index + 1
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
    ids[#ids + 1] = line
  end
  cursor = index * 7919
end

function request()
  if fixed_path then
    return wrk.format("GET", fixed_path, { ["Accept"] = "application/json" })
  end
  cursor = cursor + 1
  return wrk.format("GET", "/v1/subscribers/" .. ids[cursor % #ids + 1],
    { ["Authorization"] = auth, ["Accept"] = "application/json" })
end

statuses = {}

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("requests/s: %.0f   p50: %.2f ms   p99: %.2f ms   requests: %d   errors: %d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status))
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  for status, count in pairs(merged) do
    io.write(string.format("HTTP %d: %d\n", status, count))
  end
end
