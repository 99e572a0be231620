#!/usr/bin/env bash
# Redis and PostgreSQL for a distributed DocFlow on one Debian machine, on loopback, from Debian's packages.
#   deploy/local/servers.sh start    install what is missing (as root), start both, create the docflow database
#   deploy/local/servers.sh stop     stop both (data is kept)
#   deploy/local/servers.sh status   say what runs, and the --redis / --database values to pass to docflow
# Environment: REDIS_PORT (6379), PGPORT (5432), DOCFLOW_DB_PASSWORD (docflow), DOCFLOW_SERVERS_DIR (./data/servers).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REDIS_PORT="${REDIS_PORT:-6379}"
PGPORT="${PGPORT:-5432}"
PASSWORD="${DOCFLOW_DB_PASSWORD:-docflow}"
DIR="${DOCFLOW_SERVERS_DIR:-$ROOT/data/servers}"

die() { echo "servers.sh: $*" >&2; exit 1; }

install_missing() {
  local missing=()
  for pkg in redis-server postgresql; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; run as root, or: sudo apt-get install ${missing[*]}"
  echo "servers.sh: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The Debian cluster of the newest installed PostgreSQL, created if the package did not make one.
cluster() {
  local version
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  [ -n "$version" ] || die "PostgreSQL is not installed"
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
    pg_createcluster "$version" main --port "$PGPORT" >/dev/null
  fi
  echo "$version"
}

redis_up() { redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start() {
  install_missing
  mkdir -p "$DIR"
  if redis_up; then
    echo "Redis already answers on 127.0.0.1:$REDIS_PORT"
  else
    # AOF on, so queued jobs survive a Redis restart (docs/operations.md).
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DIR" --appendonly yes \
      --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
    for _ in $(seq 50); do redis_up && break; sleep 0.1; done
    redis_up || die "redis-server did not start; see $DIR/redis.log"
    echo "Redis started on 127.0.0.1:$REDIS_PORT (data and log in $DIR)"
  fi

  local version
  version=$(cluster)
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    pg_ctlcluster "$version" main start
  fi
  local port
  port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
  [ "$port" = "$PGPORT" ] || { PGPORT="$port"; echo "PostgreSQL $version main listens on port $port"; }
  for _ in $(seq 50); do runuser -u postgres -- pg_isready -q -p "$PGPORT" && break; sleep 0.1; done
  runuser -u postgres -- psql -q -p "$PGPORT" -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'docflow') THEN CREATE ROLE docflow LOGIN PASSWORD '$PASSWORD';
  ELSE ALTER ROLE docflow LOGIN PASSWORD '$PASSWORD'; END IF;
END \$\$;
SQL
  if ! runuser -u postgres -- psql -p "$PGPORT" -tAc "SELECT 1 FROM pg_database WHERE datname = 'docflow'" | grep -q 1; then
    runuser -u postgres -- createdb -p "$PGPORT" -O docflow docflow
  fi
  echo "PostgreSQL $version started on 127.0.0.1:$PGPORT, database docflow owned by role docflow"
  status
}

stop() {
  if redis_up; then redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true; echo "Redis stopped"; fi
  if command -v pg_lsclusters >/dev/null 2>&1; then
    local version
    version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
    if [ -n "$version" ] && pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
      pg_ctlcluster "$version" main stop && echo "PostgreSQL $version stopped"
    fi
  fi
}

status() {
  if redis_up; then echo "redis:    up    --redis 127.0.0.1:$REDIS_PORT"; else echo "redis:    down"; fi
  if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p "$PGPORT"; then
    echo "database: up    --database \"Host=127.0.0.1;Port=$PGPORT;Database=docflow;Username=docflow;Password=$PASSWORD\""
  else
    echo "database: down"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
