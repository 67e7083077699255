#!/usr/bin/env bash
# Runs a command under the one Node release of the project (.node-version:
# the release the images ship), which test/setup.sh keeps in the machine's
# cache. The tests, the benchmark, the harness and the images then run the same
# runtime, whatever Node the host has: `node`, `npx` and every `#!/usr/bin/env
# node` below this command find this one first on PATH, and vitest's workers
# inherit its process.execPath.
# Usage: bash test/node.sh <command> [args...]   (npm's scripts run it)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(cat "$root/.node-version")"
node_home="/var/cache/mysql-sts-agent/node-$version"
if [ ! -x "$node_home/bin/node" ]; then
  echo "test/node.sh: Node $version is not installed in $node_home; run: bash test/setup.sh" >&2
  exit 1
fi
export PATH="$node_home/bin:$PATH"
exec "$@"
