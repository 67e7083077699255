#!/usr/bin/env bash
# Builds the four images of one release with docker buildx, tagged as the
# Kubernetes manifests name them:
#   ghcr.io/mysql-sts-agent/mysql-sts-agent:<version>               (MySQL 8.4/9.7: the CLONE plugin, no tool)
#   ghcr.io/mysql-sts-agent/mysql-sts-agent:<version>-mariadb-10.11
#   ghcr.io/mysql-sts-agent/mysql-sts-agent:<version>-xtrabackup-8.0
#   ghcr.io/mysql-sts-agent/mysql-sts-agent:<version>-xtrabackup-8.4
# <version> is package.json's, so a tag always names the code inside.
#
# Usage: docker/build.sh [--dry-run] [buildx options…]
#   --dry-run   print the commands instead of running them
#   anything else goes to every `docker buildx build`, e.g.
#   --platform linux/amd64,linux/arm64 --push
# IMAGE overrides the repository (default ghcr.io/mysql-sts-agent/mysql-sts-agent).
set -euo pipefail
cd "$(dirname "$0")/.."

dry_run=false
passthrough=()
for arg in "$@"; do
  if [[ "$arg" == --dry-run ]]; then dry_run=true; else passthrough+=("$arg"); fi
done

image="${IMAGE:-ghcr.io/mysql-sts-agent/mysql-sts-agent}"
version="$(node -p 'require("./package.json").version')"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
# The MariaDB major is fixed by the Dockerfile's base (bookworm ships 10.11),
# so it is part of the tag, not a build argument.
mariadb_major=10.11

run() {
  if $dry_run; then
    printf '%s\n' "$*"
  else
    "$@"
  fi
}

common=(--build-arg "VERSION=${version}" --build-arg "REVISION=${revision}" "${passthrough[@]}")

run docker buildx build -f docker/Dockerfile.plain "${common[@]}" \
  -t "${image}:${version}" .

run docker buildx build -f docker/Dockerfile.mariadb "${common[@]}" \
  -t "${image}:${version}-mariadb-${mariadb_major}" .

for xtrabackup in 8.0 8.4; do
  run docker buildx build -f docker/Dockerfile.xtrabackup "${common[@]}" \
    --build-arg "XTRABACKUP_VERSION=${xtrabackup}" \
    -t "${image}:${version}-xtrabackup-${xtrabackup}" .
done
