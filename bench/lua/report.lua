-- Shared by every bench script (loaded with dofile): per-thread counters of
-- unexpected answers, unique ids, and one JSON line at the end for bench/wrk.ts.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

bad_status = 0
bad_body = 0
counter = 0
run_id = os.getenv("BENCH_RUN_ID") or "00000000"

-- A fresh UUID (version 4 layout) per call: run id, thread, kind nibble, counter.
function next_uuid(kind)
  return string.format("%s-%04x-4000-%s000-%012x", run_id, tid, kind, counter)
end

-- Counts a response that is not the expected status or lacks `needle` in its body.
function check(status, body, expected_status, needle)
  if status ~= expected_status then
    bad_status = bad_status + 1
  elseif needle and not string.find(body, needle, 1, true) then
    bad_body = bad_body + 1
  end
end

function done(summary, latency, requests)
  local s, b = 0, 0
  for _, thread in ipairs(threads) do
    s = s + thread:get("bad_status")
    b = b + thread:get("bad_body")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"durationUs":%d,"badStatus":%d,"badBody":%d,"socket":%d,' ..
    '"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f}\n',
    summary.requests, summary.duration, s, b, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
