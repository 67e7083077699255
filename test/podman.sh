# podman with the options this project's machines need (sourced by the image
# scripts; test/support/podman.ts passes the same ones): runc as the OCI
# runtime, events to a file and cgroupfs (no systemd here), and ulimits within
# the machine's hard limits (podman's defaults exceed them and runc then fails
# with "error setting rlimit").
PODMAN_GLOBAL=(--runtime runc --events-backend=file --cgroup-manager=cgroupfs)
PODMAN_ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
podman_() { podman "${PODMAN_GLOBAL[@]}" "$@"; }
