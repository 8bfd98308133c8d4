#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests (issue #18): Debian's binaries, one directory, a Unix
# socket in that directory and no TCP at all, trust authentication on the socket (except for
# members of the group role evidentia_password_login, which must give a password).
#
#   tools/pg_cluster.sh start  DIR   initdb if needed, start, create database `evidentia`, print URL
#   tools/pg_cluster.sh stop   DIR   pg_ctl stop -m fast (nothing running: says so, exit 0)
#   tools/pg_cluster.sh kill   DIR   pg_ctl stop -m immediate: a crash (the next start recovers)
#   tools/pg_cluster.sh status DIR   running or not (exit 0 running, 3 not running)
#   tools/pg_cluster.sh url    DIR   the connection URL (sqlx and psql both accept it)
#   tools/pg_cluster.sh destroy DIR  stop, then remove DIR/data and DIR/server.log only
#
# Layout: DIR/data (the cluster), DIR/.s.PGSQL.5432 (the socket), DIR/server.log, and
# DIR/.evidentia-pg-cluster, a marker this script writes; it deletes nothing in a directory
# without the marker and never anything outside DIR.
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` system user
# (created by Debian's postgresql-common) and the server runs through runuser.
set -euo pipefail

PORT=5432
DATABASE=evidentia
MARKER=.evidentia-pg-cluster

die() { echo "pg_cluster: $*" >&2; exit 1; }

usage() { die "usage: $0 start|stop|kill|status|url|destroy DIR"; }

[ $# -eq 2 ] || usage
cmd=$1
[ -n "$2" ] || usage
case $cmd in start | stop | kill | status | url | destroy) ;; *) usage ;; esac
if [ "$cmd" = start ]; then
    mkdir -p -- "$2" 2>/dev/null || die "cannot create $2"
else
    [ -d "$2" ] || die "$2 does not exist (start a cluster there first)"
fi
DIR=$(cd -- "$2" && pwd -P)
[ "$DIR" != / ] || die "refusing to use / as the cluster directory"
DATA=$DIR/data
LOG=$DIR/server.log

# The newest installed major version under /usr/lib/postgresql (Debian's layout; PG_LIB_DIR
# overrides it, for testing this script).
PG_LIB_DIR=${PG_LIB_DIR:-/usr/lib/postgresql}
bindir() {
    local v
    # A directory left by a client-only package has no initdb: take the newest that has one.
    for v in $(ls -1 "$PG_LIB_DIR" 2>/dev/null | grep -E '^[0-9]+$' | sort -nr); do
        if [ -x "$PG_LIB_DIR/$v/bin/initdb" ] && [ -x "$PG_LIB_DIR/$v/bin/pg_ctl" ]; then
            echo "$PG_LIB_DIR/$v/bin"
            return
        fi
    done
    die "no PostgreSQL server found under $PG_LIB_DIR; install it with: apt-get install postgresql (Debian package postgresql-15 or newer)"
}
BIN=$(bindir)

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
OWNER=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    getent passwd postgres >/dev/null ||
        die "running as root needs the 'postgres' system user (apt-get install postgresql-common creates it)"
    OWNER=postgres
fi
as_owner() {
    if [ "$OWNER" = "$(id -un)" ]; then "$@"; else runuser -u "$OWNER" -- "$@"; fi
}

# The socket path must fit in sun_path (107 bytes on Linux).
socket=$DIR/.s.PGSQL.$PORT
[ ${#socket} -le 107 ] || die "$DIR is too long for a Unix socket path (${#socket} > 107 bytes); choose a shorter DIR"

# Percent-encodes a path for the host part of the URL: sqlx (PgConnectOptions) and libpq both
# read a host starting with %2F as a socket directory.
urlencode() {
    local s=$1 out='' c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
            [A-Za-z0-9._~-]) out+=$c ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}
url() { printf 'postgres://%s@%s/%s\n' "$OWNER" "$(urlencode "$DIR")" "$DATABASE"; }

running() { [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

claim() {
    if [ ! -e "$DIR/$MARKER" ]; then
        [ -z "$(ls -A -- "$DIR")" ] || die "$DIR is not empty and was not made by this script; choose an empty or new directory"
        echo "cluster directory of tools/pg_cluster.sh; safe to delete with 'tools/pg_cluster.sh destroy'" >"$DIR/$MARKER"
    fi
    if [ "$OWNER" != "$(id -un)" ]; then
        chown "$OWNER" "$DIR"
        as_owner test -x "$DIR" || die "user $OWNER cannot reach $DIR (a parent directory is not searchable)"
    fi
}

case $cmd in
start)
    claim
    if [ ! -f "$DATA/PG_VERSION" ]; then
        as_owner "$BIN/initdb" -D "$DATA" -U "$OWNER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
            die "initdb failed; see $DIR/initdb.log"
        # Members of evidentia_password_login must give their password (SCRAM) even on this
        # socket, so tests can try a wrong password for real; every other login is trusted.
        as_owner sh -c "{ echo 'local all +evidentia_password_login scram-sha-256'; cat '$DATA/pg_hba.conf'; } > '$DATA/pg_hba.conf.new' && mv '$DATA/pg_hba.conf.new' '$DATA/pg_hba.conf'" ||
            die "could not write $DATA/pg_hba.conf"
    fi
    if running; then
        echo "pg_cluster: already running in $DIR" >&2
    else
        [ -e "$LOG" ] || { touch "$LOG"; [ "$OWNER" = "$(id -un)" ] || chown "$OWNER" "$LOG"; }
        # listen_addresses='' : no TCP socket at all; the only way in is the socket in DIR.
        as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
            -o "-c listen_addresses='' -c unix_socket_directories='$DIR' -p $PORT -c fsync=on" start >/dev/null ||
            die "the server did not start; see $LOG"
    fi
    if ! as_owner "$BIN/psql" -h "$DIR" -p $PORT -U "$OWNER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
        as_owner "$BIN/createdb" -h "$DIR" -p $PORT -U "$OWNER" "$DATABASE"
    fi
    as_owner "$BIN/psql" -h "$DIR" -p $PORT -U "$OWNER" -d postgres -qtAc \
        "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'evidentia_password_login') THEN CREATE ROLE evidentia_password_login NOLOGIN; END IF; END \$\$" >/dev/null ||
        die "could not create the role evidentia_password_login"
    url
    ;;
stop)
    if running; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
        echo "pg_cluster: stopped $DIR" >&2
    else
        echo "pg_cluster: not running in $DIR" >&2
    fi
    ;;
kill)
    # The server and its backends exit at once, without a checkpoint; a transaction in flight
    # is rolled back by crash recovery at the next start (the crash trials rely on it).
    if running; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null
        echo "pg_cluster: killed $DIR" >&2
    else
        echo "pg_cluster: not running in $DIR" >&2
    fi
    ;;
status)
    if running; then echo "running: $(url)"; else echo "not running ($DIR)"; exit 3; fi
    ;;
url)
    url
    ;;
destroy)
    [ -e "$DIR/$MARKER" ] || die "$DIR has no $MARKER; refusing to delete anything in it"
    if running; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
    rm -rf -- "$DATA" "$LOG" "$DIR/initdb.log"
    echo "pg_cluster: removed $DATA" >&2
    ;;
*)
    usage
    ;;
esac
