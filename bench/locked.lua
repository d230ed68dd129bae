-- wrk: the minimal locked insert, distinct e-mail addresses per thread and request.
local thread_id = 0
local counter = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local body = "seminar=" .. os.getenv("BENCH_SEMINAR")
    .. "&email=" .. os.getenv("BENCH_RUN") .. "-" .. tid .. "-" .. counter .. "%40example.org"
  return wrk.format("POST", "/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
