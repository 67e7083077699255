#!/bin/sh
# Assembles, in the directory $1, the whole filesystem of an agent image's
# final stage (which starts FROM scratch): Node (stripped of its symbol and
# debug sections, 127 → 109 MB, which only native crash backtraces and
# profilers read), the tools named after it, every shared library they load
# as ldd resolves them (with the dynamic loader), /usr/bin/env for the agent's
# `#!/usr/bin/env node`, the users root and mysql (999), /tmp, and the
# agent's command (a launcher with node's flags). Nothing
# else: no shell, no package manager, no npm. Runs in a build stage of the
# same Debian release, so each library is the one the tool was built against.
# Usage: assemble-rootfs.sh <rootfs> [tool...]
set -eu
root="$1"
shift
mkdir -p "$root/usr/local/bin" "$root/usr/bin" "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
# Debian's merged /usr: /lib64 (the loader's path in every binary) and /lib are links into /usr.
for dir in bin sbin lib lib64; do
  if [ -L "/$dir" ]; then ln -s "$(readlink "/$dir")" "$root/$dir"; fi
done
install -m 0755 /usr/local/bin/node "$root/usr/local/bin/node"
strip "$root/usr/local/bin/node"
install -m 0755 /usr/bin/env "$root/usr/bin/env"
binaries="/usr/local/bin/node /usr/bin/env"
for tool in "$@"; do
  path="$(command -v "$tool")"
  install -m 0755 "$path" "$root$path"
  binaries="$binaries $path"
done
# shellcheck disable=SC2086 # the list is of absolute paths without spaces
ldd $binaries | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u |
  while read -r library; do
    dir="$(readlink -f "$(dirname "$library")")"
    mkdir -p "$root$dir"
    cp -L "$library" "$root$dir/"
  done
printf '%s\n' 'root:x:0:0:root:/root:/usr/sbin/nologin' 'mysql:x:999:999:MySQL Server:/nonexistent:/usr/sbin/nologin' > "$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'mysql:x:999:' > "$root/etc/group"
printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' > "$root/etc/nsswitch.conf"
# The command the manifests run (`command: [mysql-sts-agent]`) starts node with
# flags that cut the sidecar's idle RSS (README, "Idle RSS in the image"): V8's
# young generation capped at 1 MiB semi-spaces (the default grows to 16 MiB
# and keeps it), V8 tuned for size (bytecode flushed sooner), and no optimizing
# compilers (their code is never paged in; WebAssembly, which fetch needs,
# still works, unlike --jitless). NODE_OPTIONS refuses all but the first, so
# the launcher's shebang carries them (env -S splits them), and imports the
# agent as the package's bin would run it.
printf '%s\n' \
  '#!/usr/bin/env -S node --max-semi-space-size=1 --optimize-for-size --no-opt --no-maglev' \
  "import('/app/dist/main.js');" > "$root/usr/local/bin/mysql-sts-agent"
chmod 0755 "$root/usr/local/bin/mysql-sts-agent"
# Every binary must start in the new root with what was copied, or the build
# fails here: the loader exits 127 when a library is missing (--help, as
# mbstream has no --version; its own exit status does not matter).
for binary in $binaries; do
  status=0
  chroot "$root" "$binary" --help >/dev/null 2>&1 || status=$?
  if [ "$status" -eq 127 ] || [ "$status" -eq 126 ]; then
    echo "assemble-rootfs: $binary does not start in $root (exit $status)" >&2
    exit 1
  fi
done
