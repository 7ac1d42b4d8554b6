-- GET /api/<user>/tasks?<BENCH_QUERY>: the first page of a user's tasks for one filter and sort.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "GET"
local user, token = string.match(os.getenv("BENCH_USERS"), "([^%s=]+)=([^%s]+)")
wrk.path = "/api/" .. user .. "/tasks?" .. os.getenv("BENCH_QUERY")
wrk.headers["Authorization"] = "Bearer " .. token

function response(status, headers, body)
  check(status, body, 200, '"nextCursor"')
end
