# Shared by the wrk benchmarks (sourced, not run): tool checks and admin API helpers.

for tool in wrk curl java; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

# The first string field called $1 of the JSON on stdin (the top-level one: Substate writes it before nested objects).
json_field() {
  grep -o "\"$1\" *: *\"[^\"]*\"" | head -n 1 | sed -E 's/.*"([^"]*)"$/\1/'
}

json_id() {
  json_field id
}

# POSTs a JSON body to the admin API and prints the response; stops the benchmark on any non-2xx.
admin_post() {
  local path="$1" body="$2" response
  if ! response="$(curl -sS --fail-with-body -X POST "$SUBSTATE_URL$path" \
      -H "Authorization: Bearer $SUBSTATE_ADMIN_TOKEN" -H 'Content-Type: application/json' -d "$body")"; then
    echo "POST $path failed: $response" >&2
    exit 1
  fi
  printf '%s' "$response"
}
