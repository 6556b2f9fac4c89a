-- wrk script of the benchmark suite (bench/loadgen.py writes the plan and runs wrk with it).
--
--   wrk -t T -c C -d Ns --timeout S -s bench/wrk/plan.lua URL -- PLAN MODE T FINISHED
--
-- PLAN is a tab-separated file: "T<tab>bearer token" lines (the token pool), then one line
-- per request: method, path, token number (1-based, or empty), content type, Idempotency-Key,
-- group, body (each may be empty; JSON and form bodies hold no tab or newline). Thread k of T
-- takes requests k, k+T, k+2T... and formats them once, in init.
--
-- MODE "cycle": each thread repeats its requests until wrk's duration ends (reads).
-- MODE "once": each request is sent exactly once (writes: a voucher is redeemed once, an
-- enrolment completed once); the caller runs one connection per thread, so the thread knows
-- which request each response answers and stops when its last one is answered. wrk itself
-- would still sleep out its whole duration, so a stopped thread appends a line to the file
-- FINISHED; the caller interrupts wrk (SIGINT: it then prints its figures at once) when
-- every thread has, and times the run itself.
--
-- Each thread counts the statuses it got (and, for requests with a group, the statuses per
-- group: "group|status"); done() adds them up and prints one line "WRK_JSON {...}" with the
-- counts, wrk's latency percentiles (microseconds) and its socket errors.

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local function split(line)
  local fields, start = {}, 1
  while true do
    local tab = string.find(line, "\t", start, true)
    if not tab then
      fields[#fields + 1] = string.sub(line, start)
      return fields
    end
    fields[#fields + 1] = string.sub(line, start, tab - 1)
    start = tab + 1
  end
end

local function blank(value)
  if value == nil or value == "" then return nil end
  return value
end

function init(args)
  local path, mode, nthreads = args[1], args[2], tonumber(args[3])
  finished = args[4]
  once = mode == "once"
  mine, groups, counts = {}, {}, {}
  sent, answered = 0, 0
  local tokens, n = {}, 0
  for line in io.lines(path) do
    local f = split(line)
    if f[1] == "T" then
      tokens[#tokens + 1] = f[2]
    else
      n = n + 1
      if (n - id) % nthreads == 0 and n >= id then
        local headers = {}
        if blank(f[3]) then headers["Authorization"] = "Bearer " .. tokens[tonumber(f[3])] end
        if blank(f[4]) then headers["Content-Type"] = f[4] end
        if blank(f[5]) then headers["Idempotency-Key"] = f[5] end
        mine[#mine + 1] = wrk.format(f[1], f[2], headers, blank(f[7]))
        groups[#groups + 1] = blank(f[6]) or false
      end
    end
  end
  filler = wrk.format("GET", "/healthz")
end

function request()
  if id == 1 and not verified then
    -- wrk calls the first thread's request() once before the run to check what it returns;
    -- that call sends nothing, so it must not use a call up.
    verified = true
    return mine[1] or filler
  end
  sent = sent + 1
  if not once then
    return mine[(sent - 1) % #mine + 1]
  end
  -- Never reached with one connection per thread; a harmless request if it were.
  return mine[sent] or filler
end

function response(status, headers, body)
  if once and answered >= #mine then
    -- an answer to the filler: not one of the plan's calls
    counts["filler"] = (counts["filler"] or 0) + 1
    return
  end
  answered = answered + 1
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
  if not sampled and (status >= 300 or answered == 1) then
    -- each thread's first answer and first unexpected one, for the report
    sampled = status >= 300
    local out = io.open(finished .. ".sample", "a")
    out:write(key, " ", string.sub(body or "", 1, 300), "\n")
    out:close()
  end
  if once then
    local group = groups[answered]
    if group then
      local grouped = group .. "|" .. key
      counts[grouped] = (counts[grouped] or 0) + 1
    end
    if answered >= #mine then
      local out = io.open(finished, "a")
      out:write(id, "\n")
      out:close()
      wrk.thread:stop()
    end
  end
end

function done(summary, latency, requests)
  local total, answers = {}, 0
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("counts")) do
      total[key] = (total[key] or 0) + count
    end
    answers = answers + thread:get("answered")
  end
  local parts = {}
  for key, count in pairs(total) do
    parts[#parts + 1] = string.format("%q:%d", key, count)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"answered":%d,"duration_us":%d,"requests":%d,"statuses":{%s},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    answers, summary.duration, summary.requests, table.concat(parts, ","),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
