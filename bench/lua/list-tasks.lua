-- GET /api/<user>/tasks: the first page (50, newest first) of a user's open tasks.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "GET"
wrk.path = "/api/" .. os.getenv("BENCH_USER") .. "/tasks?status=open&limit=50"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

function response(status, headers, body)
  check(status, body, 200, '"nextCursor"')
end
