-- GET /lookup/{chain}/{key} with "Authorization: Bearer TOKEN" (HMAC check, no signature).
-- BENCH_FILE lines: "PATH TOKEN".
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

function init(args)
  for _, line in ipairs(bench_lines()) do
    local path, token = line:match("^(%S+) (%S+)$")
    reqs[#reqs + 1] = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
  end
end
