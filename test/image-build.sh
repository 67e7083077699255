#!/usr/bin/env bash
# Builds the agent's images with podman, as the tests run them, tagged
# localhost/mysql-sts-agent:<flavour>: `mariadb` (docker/Dockerfile.mariadb) and
# `plain` (docker/Dockerfile.plain, the CLONE-plugin image). Layers are cached
# in podman's storage, so a build with unchanged sources takes seconds.
# The npm registry is reached through this machine's TLS (its CA bundle, which
# may hold an intercepting proxy's CA): the bundle and an npmrc naming it are
# mounted into the build's RUN steps only, never into a layer.
# Usage: bash test/image-build.sh [mariadb|plain ...]   (root; default both)
set -euo pipefail
cd "$(dirname "$0")/.."
source test/podman.sh
bash test/image-bases.sh

ca="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
tmp=$(mktemp -d /var/tmp/mysql-sts-agent-build-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
printf 'cafile=/run/build-ca/ca.crt\nupdate-notifier=false\n' > "$tmp/npmrc"
# npm's global config file in the node image ($PREFIX/etc/npmrc).
mounts=(--volume "$ca:/run/build-ca/ca.crt:ro" --volume "$tmp/npmrc:/usr/local/etc/npmrc:ro")

flavours=("$@")
[ "${#flavours[@]}" -gt 0 ] || flavours=(mariadb plain)
for flavour in "${flavours[@]}"; do
  podman_ build --quiet "${PODMAN_ULIMITS[@]}" "${mounts[@]}" --layers \
    --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    -f "docker/Dockerfile.$flavour" -t "localhost/mysql-sts-agent:$flavour" . >/dev/null
done
