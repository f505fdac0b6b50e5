-- wrk script: each thread replays its own file of pre-signed inbound-message webhooks
-- (one unique MessageSid and contact per line: "path<TAB>signature<TAB>form-body").
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  reqs = {}
  idx = 0
  -- Optional pacing: each connection waits this many ms before its next request.
  pause = tonumber(args[2] or "0") or 0
  local file = args[1] .. "." .. id
  for line in io.lines(file) do
    local path, sig, body = line:match("([^\t]+)\t([^\t]*)\t(.*)")
    local headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["X-Twilio-Signature"] = sig }
    reqs[#reqs + 1] = wrk.format("POST", path, headers, body)
  end
end

function delay()
  return pause
end

function request()
  idx = idx + 1
  return reqs[((idx - 1) % #reqs) + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, "p50_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
