#!/usr/bin/env bash
# Brings a Debian machine to where the tests, the local cluster and the demo run:
# the Debian packages they drive, node_modules, and a fresh build. Idempotent and
# quick when nothing is missing, so every entry point (npm test, npm run cluster,
# .ci/run) calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

# MariaDB and mariadb-backup (mbstream) are the real servers and backup streams;
# dnsmasq is the cluster DNS; iproute2/util-linux make the pods' namespaces;
# prometheus brings promtool; socat is the plain TCP relay the benchmark compares against;
# podman (with runc) builds and runs the images, mmdebstrap makes root filesystems.
packages=(mariadb-server mariadb-client mariadb-backup dnsmasq-base iproute2 util-linux procps prometheus socat podman runc mmdebstrap)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The one Node release the tests, the benchmark and the images run (.node-version).
bash test/node-install.sh

# The MySQL server image of the mysql:9.7 pods, as a root filesystem (built once, cached).
bash test/server-rootfs.sh

# kubectl's built-in kustomize renders k8s/ for the manifest tests and the harness (no cluster needed).
if ! command -v kubectl >/dev/null; then
  echo "setup: kubectl is required (kubectl kustomize renders k8s/); install it from https://kubernetes.io/docs/tasks/tools/" >&2
  exit 1
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build

# The agent's images, as the image tests run them (the stand-in base once per
# machine, then cached layers). Built here, with the rest of the machine's
# preparation, so the suite's clock counts the checks, not a cold build; the
# tests build again (a cache hit) and report a build that fails with its output.
if command -v podman >/dev/null && [ "$(id -u)" -eq 0 ]; then
  bash test/image-build.sh || echo "setup: building the images failed; the image tests will say why" >&2
fi
