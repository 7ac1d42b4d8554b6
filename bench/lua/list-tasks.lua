-- GET /api/<user>/tasks?<BENCH_QUERY>: the first page of a user's tasks for one filter and sort.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "GET"
wrk.path = "/api/" .. os.getenv("BENCH_USER") .. "/tasks?" .. os.getenv("BENCH_QUERY")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

function response(status, headers, body)
  check(status, body, 200, '"nextCursor"')
end
