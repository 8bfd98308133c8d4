#!/bin/sh
# Runs a command with the network unavailable: a fresh network namespace (unshare -rn) in
# which only loopback is up, so local WebDriver connections work and nothing else does.
if ! unshare -rn true 2>/dev/null; then
  echo "tests/offline.sh: this machine cannot create a network namespace (unshare -rn);" >&2
  echo "  the offline end-to-end run needs unprivileged user namespaces (kernel.unprivileged_userns_clone=1)." >&2
  exit 1
fi
exec unshare -rn sh -c 'ip link set lo up && exec "$@"' sh "$@"
