#!/usr/bin/env bash
# Load test: requests/s through the gateway vs directly to the same upstream, for 1 KiB and
# 64 KiB JSON start requests that pass the bundled Camunda policy. Loopback only, bounded in time.
# The machine has 2 cores: the upstream and the gateway share core 0, wrk runs on core 1.
# Two upstreams: a trivial one (answers at once: the numbers are then pure proxy overhead on a
# shared core) and an engine-like one (2 ms of "engine work" per request, like a Camunda REST call).
#   scripts/load.sh [SECONDS]        (default 10 s per run)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-10}"
UPSTREAM=127.0.0.1:18081
GATEWAY=127.0.0.1:18080

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)"
  (sudo -n true 2>/dev/null && sudo apt-get install -y wrk) || apt-get install -y wrk
fi
cargo build --release --features cli --bin input-guard --example echo_upstream

work="$(mktemp -d)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
for label, size in (("1k", 1024), ("64k", 64 * 1024)):
    variables, i = {}, 0
    while len(json.dumps({"variables": variables})) < size - 60:
        if i % 3 == 0:
            variables[f"order{i}"] = {"value": json.dumps({"id": i, "qty": 2}), "type": "Object",
                "valueInfo": {"objectTypeName": "java.util.HashMap", "serializationDataFormat": "application/json"}}
        else:
            variables[f"note{i}"] = {"value": f"deliver before noon #{i}", "type": "String"}
        i += 1
    body = json.dumps({"businessKey": "order-4711", "variables": variables})
    with open(f"{work}/post-{label}.lua", "w") as f:
        f.write('wrk.method = "POST"\n')
        f.write('wrk.headers["Content-Type"] = "application/json"\n')
        f.write("wrk.body = " + json.dumps(body) + "\n")
PY

path=/engine-rest/process-definition/key/invoice/start
rps() { taskset -c 1 wrk -t1 -c32 -d"${SECONDS_PER_RUN}s" -s "$1" "$2" | awk '/Requests\/sec/ {print $2}'; }
printf '%-16s %-6s %14s %14s %8s\n' upstream body direct_rps gateway_rps ratio
for delay in 0 2; do
  taskset -c 0 target/release/examples/echo_upstream "$UPSTREAM" "$delay" & up=$!
  taskset -c 0 target/release/input-guard serve --policy policies/camunda.toml --listen "$GATEWAY" \
    --upstream "http://$UPSTREAM" >"$work/gateway.log" 2>&1 & gw=$!
  pids+=("$up" "$gw")
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://$GATEWAY/engine-rest/task?maxResults=1" && break
    sleep 0.2
  done
  name=$([ "$delay" = 0 ] && echo trivial || echo "engine-like 2ms")
  for label in 1k 64k; do
    direct=$(rps "$work/post-$label.lua" "http://$UPSTREAM$path")
    guarded=$(rps "$work/post-$label.lua" "http://$GATEWAY$path")
    ratio=$(python3 -c "print(f'{$guarded / $direct:.2f}')")
    printf '%-16s %-6s %14s %14s %8s\n' "$name" "$label" "$direct" "$guarded" "$ratio"
  done
  if grep -q "request rejected" "$work/gateway.log"; then
    echo "the gateway rejected load-test requests:"; grep "request rejected" "$work/gateway.log" | head -3; exit 1
  fi
  kill "$up" "$gw"; wait "$up" "$gw" 2>/dev/null || true
done
