#!/usr/bin/env bash
# Idle footprint of the sidecar in its image, as a first measurement until
# `npm run bench` runs its pods from the image: `serve` as mysql-1 in the
# mariadb image (uid 999, read-only root, no capabilities), with no server
# behind it (MYSQL_PORT 9: the loop keeps failing its checks, as a pod whose
# server is down), RSS split into anonymous and file-backed pages read from
# /proc 30 s after start, then the latency of 200 sequential /healthz.
# Usage: bash test/bench/image-idle.sh <label> [NODE_OPTIONS] [podman run options...]
#   e.g. bash test/bench/image-idle.sh semi-space-1 --max-semi-space-size=1
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/podman.sh
label="$1"
options="${2:-}"
shift $(( $# >= 2 ? 2 : 1 ))
name="msa-image-idle-$$"
dir=$(mktemp -d /tmp/msa-image-idle-XXXXXX)
chown 999:999 "$dir"
trap 'podman_ rm --force --time 0 "$name" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
port=$(bash test/node.sh node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
podman_ run --detach --name "$name" "${PODMAN_ULIMITS[@]}" --read-only --cap-drop ALL --security-opt no-new-privileges \
  --tmpfs /tmp --network host --volume "$dir:$dir" --env NODE_OPTIONS="$options" \
  --env POD_NAME=mysql-1 --env HTTP_HOST=127.0.0.1 --env HTTP_PORT="$port" --env CLONE_PORT="$((port + 1))" --env MYSQL_PORT=9 \
  --env MYSQL_FLAVOR=mariadb --env MYSQL_ROOT_PASSWORD=bench-root --env REPLICATION_PASSWORD=bench-repl \
  --env AGENT_PASSWORD=bench-agent --env CLONE_SECRET=bench-clone --env DATA_DIR="$dir" "$@" \
  localhost/mysql-sts-agent:mariadb serve >/dev/null
sleep 30
pid=$(podman_ inspect --format '{{.State.Pid}}' "$name")
if [ "$pid" -eq 0 ]; then
  echo "$label: the sidecar did not stay up (NODE_OPTIONS=$options): $(podman_ logs "$name" 2>&1 | tail -n 3)" >&2
  exit 1
fi
mib() { awk -v key="$1:" '$1 == key { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
rss="RSS $(mib VmRSS) MiB (anon $(mib RssAnon), file $(mib RssFile)), $(awk '$1 == "Threads:" { print $2 }' "/proc/$pid/status") threads"
latency=$(bash test/node.sh node -e "
  (async () => { const t = [];
    for (let i = 0; i < 200; i++) { const s = performance.now(); await (await fetch('http://127.0.0.1:$port/healthz')).text(); t.push(performance.now() - s); }
    t.sort((a, b) => a - b); console.log('/healthz p50 ' + t[100].toFixed(2) + ' ms, p99 ' + t[198].toFixed(2) + ' ms'); })()")
echo "$label: idle 30 s: $rss; $latency"
