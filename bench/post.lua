-- wrk: registration POSTs with distinct e-mail addresses per thread and request.
local thread_id = 0
local counter = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local body = "csrf_token=" .. os.getenv("BENCH_TOKEN")
    .. "&last_name=Bench&first_name=Nr" .. counter .. "&town=Essen&privacy=y&website="
    .. "&email=" .. os.getenv("BENCH_RUN") .. "-" .. tid .. "-" .. counter .. "%40example.org"
  return wrk.format("POST", os.getenv("BENCH_PATH"), {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = os.getenv("BENCH_COOKIE"),
  }, body)
end
