-- wrk: POST the login server function with a valid username and password, and count
-- the answers by status (each thread counts; done() adds them up).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.body = "login=bench&password=Plum-Orbit-Lantern-42%21"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, failed = 0, 0
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else failed = failed + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_failed = 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_failed = total_failed + thread:get("failed")
  end
  io.write(string.format("logins: %d succeeded (200), %d other\n", total_ok, total_failed))
end
