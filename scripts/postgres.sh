#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the test suite.
#   scripts/postgres.sh start   -> prints the URL and writes it to .make/postgres.url
#   scripts/postgres.sh stop
# With NHACVIEC_INSTALL_POSTGRES=1 (set by .ci/run) and root, installs Debian's postgresql
# when no server binaries are found. Without them it says so and exits 0: the PostgreSQL
# tests then skip, unless NHACVIEC_REQUIRE_POSTGRES=1 makes them fail.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
state_dir="$here/.make"
url_file="$state_dir/postgres.url"
# One port per checkout, so two clones on one machine do not stop each other's cluster.
port="${NHACVIEC_TEST_POSTGRES_PORT:-$(( 54000 + $(printf %s "$here" | cksum | cut -d" " -f1) % 900 ))}"
cluster="${TMPDIR:-/tmp}/nhacviec-pg-$(id -u)-$port"

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

as_cluster_owner() {
  # PostgreSQL refuses to run as root; Debian's package creates the postgres user.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  mkdir -p "$state_dir"
  rm -f "$url_file"
  local bindir
  if ! bindir=$(find_bindir); then
    if [ "${NHACVIEC_INSTALL_POSTGRES:-0}" = 1 ] && [ "$(id -u)" = 0 ]; then
      echo "postgres.sh: installing Debian's postgresql" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq --no-install-recommends postgresql >&2
      bindir=$(find_bindir)
    else
      echo "postgres.sh: no PostgreSQL server found; PostgreSQL tests will skip" >&2
      return 0
    fi
  fi
  stop >/dev/null 2>&1 || true
  rm -rf "$cluster"
  mkdir -p "$cluster"
  [ "$(id -u)" = 0 ] && chown postgres: "$cluster"
  as_cluster_owner "$bindir/initdb" -D "$cluster/data" -U nhacviec --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  as_cluster_owner "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  echo "postgresql+psycopg://nhacviec@127.0.0.1:$port/postgres" | tee "$url_file"
}

stop() {
  local bindir
  bindir=$(find_bindir) || return 0
  [ -d "$cluster/data" ] || return 0
  as_cluster_owner "$bindir/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$cluster" "$url_file"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
