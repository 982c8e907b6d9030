-- Baseline: a path no route serves. The relay answers 404 {"error":"not_found"} from the
-- router's last handler: no rate limiter, no JSON parsing, no database, no crypto.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

function init(args)
  reqs = { wrk.format("GET", "/bench-baseline-not-found") }
end
