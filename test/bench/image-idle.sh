#!/usr/bin/env bash
# Node flag experiments on the sidecar's idle footprint in the MariaDB image
# (`npm run bench`'s image section measures the image as shipped, with a real
# server behind it; this one is for trying flags quickly): `serve` as mysql-1
# (uid 999, read-only root, no capabilities) with no server behind it (MYSQL_PORT 9:
# the loop keeps failing its checks, as a pod whose server is down), RSS split
# into anonymous and file-backed pages read from /proc 30 s after start, then
# the latency of 200 sequential /healthz and /metrics.
# Usage: bash test/bench/image-idle.sh <label>                  the image's command as shipped (its launcher's flags)
#        bash test/bench/image-idle.sh <label> node [flag...]   node [flag...] /app/dist/main.js serve (no launcher)
#        bash test/bench/image-idle.sh <label> bare [flag...]   a bare node HTTP server: node's own floor
#        bash test/bench/image-idle.sh <label> libs [flag...]   node with the runtime libraries and none of the agent (test/bench/pod/libs-floor.mjs)
#   e.g. bash test/bench/image-idle.sh libs-shipped libs --max-semi-space-size=1 --optimize-for-size --no-opt --no-maglev
#   e.g. bash test/bench/image-idle.sh semi-space-1 node --max-semi-space-size=1
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/podman.sh
label="$1"
mode="${2:-shipped}"
flags=("${@:3}")
name="msa-image-idle-$$"
dir=$(mktemp -d /tmp/msa-image-idle-XXXXXX)
chown 999:999 "$dir"
trap 'podman_ rm --force --time 0 "$name" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
port=$(bash test/node.sh node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
case "$mode" in
  shipped) command=(localhost/mysql-sts-agent:mariadb serve) ;;
  node) command=(--entrypoint node localhost/mysql-sts-agent:mariadb "${flags[@]}" /app/dist/main.js serve) ;;
  bare) command=(--entrypoint node localhost/mysql-sts-agent:mariadb "${flags[@]}" -e "require('http').createServer((q,s)=>s.end('ok')).listen($port,'127.0.0.1')") ;;
  libs) command=(--volume "$PWD/test/bench/pod/libs-floor.mjs:/app/libs-floor.mjs:ro" --entrypoint node localhost/mysql-sts-agent:mariadb "${flags[@]}" /app/libs-floor.mjs "$port") ;;
  *) echo "image-idle.sh: mode $mode: expected node, bare or libs (or none: the image's command)" >&2; exit 2 ;;
esac
podman_ run --detach --name "$name" "${PODMAN_ULIMITS[@]}" --read-only --cap-drop ALL --security-opt no-new-privileges \
  --tmpfs /tmp --network host --volume "$dir:$dir" \
  --env POD_NAME=mysql-1 --env HTTP_HOST=127.0.0.1 --env HTTP_PORT="$port" --env CLONE_PORT="$((port + 1))" --env MYSQL_PORT=9 \
  --env MYSQL_FLAVOR=mariadb --env MYSQL_ROOT_PASSWORD=bench-root --env REPLICATION_PASSWORD=bench-repl \
  --env AGENT_PASSWORD=bench-agent --env CLONE_SECRET=bench-clone --env DATA_DIR="$dir" "${command[@]}" >/dev/null
sleep 30
pid=$(podman_ inspect --format '{{.State.Pid}}' "$name")
if [ "$pid" -eq 0 ]; then
  echo "$label: the container did not stay up: $(podman_ logs "$name" 2>&1 | tail -n 3)" >&2
  exit 1
fi
mib() { awk -v key="$1:" '$1 == key { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
rss="RSS $(mib VmRSS) MiB (anon $(mib RssAnon), file $(mib RssFile)), $(awk '$1 == "Threads:" { print $2 }' "/proc/$pid/status") threads"
latency=$(bash test/node.sh node -e "
  const http = require('http');
  const get = (path) => new Promise((ok, fail) => http.get({ host: '127.0.0.1', port: $port, path, agent: false }, (r) => { r.resume(); r.on('end', ok); }).on('error', fail));
  (async () => { const out = [];
    for (const path of ['/healthz', '/metrics']) { const t = [];
      for (let i = 0; i < 200; i++) { const s = performance.now(); await get(path); t.push(performance.now() - s); }
      t.sort((a, b) => a - b); out.push(path + ' p50 ' + t[100].toFixed(2) + ' ms, p99 ' + t[198].toFixed(2) + ' ms'); }
    console.log(out.join('; ')); })()")
echo "$label: idle 30 s: $rss; $(tr '\0' ' ' < "/proc/$pid/cmdline"); $latency"
