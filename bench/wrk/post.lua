-- wrk script: POST /pets with a valid NewPet body (every field set, so all of the
-- validation runs) and a bearer token.
--   wrk -s bench/wrk/post.lua http://127.0.0.1:8081/pets -- TOKEN
-- The request is built once per thread and sent as is (no per-request Lua).

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Rex","status":"available","tag":"dog","birth_date":"2021-04-17",'
  .. '"weight_kg":12.5,"microchip_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6"}'

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
