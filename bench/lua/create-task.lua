-- POST /api/<user>/tasks: a recurring task with a reminder, so validation parses
-- the RRULE and the insert, the outbox row and the publish all happen.
-- BENCH_USERS: "user=token" pairs, space-separated; requests go round them. Events
-- are keyed by user: one user's writes take turns (per-user order), so a single
-- user measures that queue rather than the function.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local users = {}
for user, token in string.gmatch(os.getenv("BENCH_USERS"), "([^%s=]+)=([^%s]+)") do
  users[#users + 1] = { path = "/api/" .. user .. "/tasks", auth = "Bearer " .. token }
end

local body = '{"title":"Water the plants","description":"The ones by the window","priority":"high",' ..
  '"tags":["home","plants"],"dueAt":"2026-12-01T09:00:00Z","remindAt":"2026-12-01T08:45:00Z","recurrence":"FREQ=DAILY"}'

function request()
  counter = counter + 1
  local user = users[counter % #users + 1]
  return wrk.format("POST", user.path, { ["Authorization"] = user.auth, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  check(status, body, 201, '"seriesId"')
end
