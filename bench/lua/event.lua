-- POST /events/task.completed as daprd delivers it: a structured CloudEvent with
-- Dapr's extensions. Every request has a fresh event id and a fresh task (so a
-- fresh series): BENCH_RECURRING_PCT of them are recurring, and each of those
-- makes the consumer insert a new next instance.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local recurring_pct = tonumber(os.getenv("BENCH_RECURRING_PCT") or "0")
-- Events are keyed by user, as in production: one user's events take turns (per-user
-- order), so a single user would measure that queue rather than the route.
local users = 64
-- The route the server announced on GET /dapr/subscribe, as daprd would call it.
local path = os.getenv("BENCH_EVENT_PATH") or "/events/task.completed"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/cloudevents+json"
-- What daprd presents to an app that has APP_API_TOKEN set (part 4's real instances).
if os.getenv("BENCH_DAPR_API_TOKEN") then
  wrk.headers["dapr-api-token"] = os.getenv("BENCH_DAPR_API_TOKEN")
end

local template = '{"specversion":"1.0","id":"%s","source":"/taskfn/completeTask","type":"task.completed",' ..
  '"subject":"%s","time":"2026-11-28T10:00:00.000Z","datacontenttype":"application/json","partitionkey":"%s",' ..
  '"pubsubname":"pubsub","topic":"tasks","traceid":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",' ..
  '"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":"",' ..
  '"data":{"id":"%s","userId":"%s","title":"Water the plants","description":null,"priority":"medium",' ..
  '"tags":["home"],"dueAt":"2026-12-01T09:00:00.000Z","remindAt":"2026-12-01T08:45:00.000Z","recurrence":%s,' ..
  '"seriesId":"%s","occurrence":1,"completed":true,"completedAt":"2026-11-28T10:00:00.000Z",' ..
  '"createdAt":"2026-11-27T10:00:00.000Z","updatedAt":"2026-11-28T10:00:00.000Z"}}'

function request()
  counter = counter + 1
  local event_id = next_uuid("8")
  local task_id = next_uuid("9")
  local recurrence = (counter % 100) < recurring_pct and '"FREQ=DAILY"' or "null"
  local user = "bench-user-" .. (counter % users)
  return wrk.format(nil, path, nil,
    string.format(template, event_id, task_id, user, task_id, user, recurrence, task_id))
end

function response(status, headers, body)
  check(status, body, 200, '"SUCCESS"')
end
