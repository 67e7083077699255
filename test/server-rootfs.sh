#!/usr/bin/env bash
# The "mysql:9.7" server image of the harness's pods: a Debian sid root filesystem
# with Debian's MySQL packages, which the pods run under chroot (MySQL 9.7 needs
# glibc >= 2.38; the host is bookworm). Built once per machine (~30 s, ~470 MB)
# into a temp dir and renamed into place, so a crash never leaves half a rootfs.
# Versions are pinned: sid moves, and test/cluster/server-image.ts names this one.
set -euo pipefail

MYSQL_DEB_VERSION=9.7.4-2
CACHE_DIR=/var/cache/mysql-sts-agent
ROOTFS="$CACHE_DIR/rootfs-mysql-$MYSQL_DEB_VERSION"

[ -d "$ROOTFS" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: $ROOTFS is missing and only root can build it (mmdebstrap, chroot)" >&2
  exit 1
fi
echo "setup: building the MySQL $MYSQL_DEB_VERSION root filesystem for mysql:9.7 pods in $ROOTFS (once per machine, ~30 s)" >&2
if ! command -v mmdebstrap >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi

# The Debian mirror this machine's apt already uses (deb822 `URIs:` or a one-line `deb` entry).
mirror=$(grep -hoE '^(URIs:[[:space:]]*|deb[[:space:]]+)[a-z]+://[^[:space:]]+/debian([[:space:]]|$)' \
  /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | awk '{print $NF}' | head -n1 || true)
if [ -z "$mirror" ]; then
  echo "setup: found no Debian mirror in /etc/apt/sources.list{,.d} to build $ROOTFS from" >&2
  exit 1
fi

mkdir -p "$CACHE_DIR"
# What a killed build left (a running one is younger than this).
find "$CACHE_DIR" -maxdepth 1 -name '.build-rootfs-*' -mmin +30 -exec rm -rf {} +
tmp=$(mktemp -d "$CACHE_DIR/.build-rootfs-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mmdebstrap --quiet --variant=essential \
  --include="mysql-server-core=$MYSQL_DEB_VERSION,mysql-client-core=$MYSQL_DEB_VERSION" \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  sid "$tmp" "$mirror"

# Mount points of the pod's volumes and files: pods mount the rootfs read-only,
# so every target must exist before the first pod. /var/lib/mysql-files is
# mysqld's default secure_file_priv, which the official image creates (private,
# or mysqld warns that every OS user can read what SELECT … INTO OUTFILE writes).
mkdir -p "$tmp"/var/lib/mysql "$tmp"/var/lib/mysql-files "$tmp"/etc/mysql/conf.d "$tmp"/run/mysqld "$tmp"/var/log/mysql
chmod 0700 "$tmp"/var/lib/mysql-files
for file in etc/mysql/my.cnf etc/resolv.conf etc/hosts; do
  rm -f "${tmp:?}/$file"
  touch "$tmp/$file"
done
# Nothing downloaded is needed any more.
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*

# A concurrent build may have won the race: its copy is as good as ours (the trap drops ours).
mv -T "$tmp" "$ROOTFS" 2>/dev/null || [ -d "$ROOTFS/usr" ]
