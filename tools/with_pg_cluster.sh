#!/usr/bin/env bash
# Runs one command with a throwaway PostgreSQL cluster beside it (issue #18: `make test` runs
# every test step against a real server, no Docker):
#
#   tools/with_pg_cluster.sh DIR COMMAND [ARGS...]
#
# A fresh cluster every time: one left in DIR by an interrupted run (still running, or its data
# half-written) is stopped and removed first, so it cannot break this run; so are clusters in
# DIR's subdirectories (the team trials' own), which are also stopped at the end. The cluster's URL is
# exported as EVIDENTIA_TEST_PG_URL to COMMAND, and the cluster is stopped when COMMAND ends,
# whether it passed, failed or was interrupted (Ctrl-C, SIGTERM). Exits with COMMAND's status.
# The cluster itself is tools/pg_cluster.sh's: a Unix socket in DIR, no TCP, trust auth.
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: $0 DIR COMMAND [ARGS...]" >&2; exit 2; }
here=$(cd -- "$(dirname -- "$0")" && pwd -P)
dir=$1
shift

# The cluster in DIR and any in its subdirectories (the team trials start one in DIR/kill,
# which they crash on purpose): each made by pg_cluster.sh, so each has its marker.
clusters() {
    local d
    for d in "$dir" "$dir"/*/; do
        [ -e "$d/.evidentia-pg-cluster" ] && printf '%s\n' "${d%/}"
    done
    return 0
}

for d in $(clusters); do
    "$here/pg_cluster.sh" destroy "$d" || exit 1
done
url=$("$here/pg_cluster.sh" start "$dir") || exit 1

# EXIT covers the normal end and a failing COMMAND; INT and TERM turn into an exit (which then
# runs the EXIT trap) once the foreground COMMAND has returned.
trap 'for d in $(clusters); do "$here/pg_cluster.sh" stop "$d" || true; done' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "with_pg_cluster: EVIDENTIA_TEST_PG_URL=$url" >&2
export EVIDENTIA_TEST_PG_URL=$url
"$@"
