-- POST /api/<user>/tasks: a recurring task with a reminder, so validation parses
-- the RRULE and the insert, the outbox row and the publish all happen.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "POST"
wrk.path = "/api/" .. os.getenv("BENCH_USER") .. "/tasks"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"Water the plants","description":"The ones by the window","priority":"high",' ..
  '"tags":["home","plants"],"dueAt":"2026-12-01T09:00:00Z","remindAt":"2026-12-01T08:45:00Z","recurrence":"FREQ=DAILY"}'

function response(status, headers, body)
  check(status, body, 201, '"seriesId"')
end
