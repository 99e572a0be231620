#!/usr/bin/env bash
# Active-passive region failover, simulated on one machine (docs/multi-region.md). One command, as root:
#   tools/region-failover/simulate.sh
# Two stacks on loopback:
#   region A (active):  PostgreSQL primary, Redis A (AOF), blob folder A, `docflow serve --workers 0`, N `docflow worker`
#   region B (standby): PostgreSQL streaming replica (pg_basebackup -R; synchronous_standby_names names it, so a 202 from
#                       the API means the job's row is flushed on both servers), Redis B (AOF, empty), blob folder B kept
#                       in sync with A by a copy loop (S3 cross-region replication in production), a warm API that answers
#                       /readyz 503 "read-only standby" until promotion; no workers.
# It submits M unique documents to A, fails region A mid-batch (SIGKILL of its API and workers, immediate stop of its
# PostgreSQL and Redis), promotes the replica (pg_ctl promote), starts B's workers, waits, and checks that every document
# accepted before the failure ended succeeded with exactly one result, none lost, none duplicated. Prints the recovery
# time (failure → B ready, failure → all done), the documents delayed and the data-loss window. Exit 1 on a violation.
# Environment: DOCFLOW_BIN (default: ./docflow of this clone), DOCS (M, default 40), WORKERS (N, default 2),
# FAIL_AT (fail once this many documents ended, default DOCS/3), AFTER (documents sent to B after failover, default 5),
# SYNC_INTERVAL (seconds between blob copy passes, default 1), KEEP=1 keeps the work folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${DOCFLOW_BIN:-$ROOT/docflow}"
DOCS="${DOCS:-40}"
WORKERS="${WORKERS:-2}"
FAIL_AT="${FAIL_AT:-$((DOCS / 3))}"
AFTER="${AFTER:-5}"
SYNC_INTERVAL="${SYNC_INTERVAL:-1}"
PGBIN="${PGBIN:-/usr/lib/postgresql/$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)/bin}"

die() { echo "simulate.sh: $*" >&2; exit 2; }
say() { printf '%s  %s\n' "$(date -u +%H:%M:%S.%3N)" "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(id -u)" -eq 0 ] || die "run as root (PostgreSQL runs as user postgres, which this script switches to)"
for tool in redis-server redis-cli curl jq python3 runuser; do command -v "$tool" >/dev/null || die "$tool is missing (apt-get install redis-server curl jq python3)"; done
[ -x "$PGBIN/initdb" ] || die "PostgreSQL server binaries not found in $PGBIN (apt-get install postgresql)"
[ -x "$BIN" ] || die "docflow not found at $BIN (set DOCFLOW_BIN)"

WORK="$(mktemp -d /tmp/docflow-region.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  local code=$?
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for dir in "$WORK/pg-a" "$WORK/pg-b"; do
    [ -f "$dir/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir" -m immediate stop >/dev/null 2>&1 || true
  done
  for port in "${REDIS_A:-}" "${REDIS_B:-}"; do [ -n "$port" ] && redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; done
  if [ "${KEEP:-0}" = 1 ] || [ "$code" -ne 0 ]; then echo "work folder kept: $WORK (logs: *.log)"; else rm -rf "$WORK"; fi
  exit "$code"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PG_A=$(free_port); PG_B=$(free_port); REDIS_A=$(free_port); REDIS_B=$(free_port); API_A=$(free_port); API_B=$(free_port)
db() { echo "Host=127.0.0.1;Port=$1;Database=docflow;Username=postgres;Pooling=true;Timeout=3"; }
sql() { local port="$1"; shift; runuser -u postgres -- "$PGBIN/psql" -h 127.0.0.1 -p "$port" -d "${SQLDB:-docflow}" -XtAq -v ON_ERROR_STOP=1 -c "$*"; }

# ---- PostgreSQL: primary, then a synchronous streaming replica -------------------------------------------------------
say "PostgreSQL primary on $PG_A"
install -d -o postgres -g postgres "$WORK/pg-a" "$WORK/sock" "$WORK/pglog"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg-a" -U postgres -A trust --no-instructions >"$WORK/initdb.log"
cat >>"$WORK/pg-a/postgresql.conf" <<CONF
port = $PG_A
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK/sock'
wal_level = replica
max_wal_senders = 4
hot_standby = on
CONF
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg-a" -l "$WORK/pglog/pg-a.log" -w start >/dev/null
SQLDB=postgres sql "$PG_A" "CREATE DATABASE docflow"

say "streaming replica on $PG_B (pg_basebackup -R, application_name regionb)"
install -d -m 700 -o postgres -g postgres "$WORK/pg-b"
runuser -u postgres -- "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PG_A" -U postgres -D "$WORK/pg-b" -R -X stream -c fast
cat >>"$WORK/pg-b/postgresql.auto.conf" <<CONF
port = $PG_B
primary_conninfo = 'host=127.0.0.1 port=$PG_A user=postgres application_name=regionb'
CONF
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg-b" -l "$WORK/pglog/pg-b.log" -w start >/dev/null
# From now on a commit on the primary waits until the standby named regionb has flushed its WAL: a 202 from the API
# means the job's row is on both servers (data-loss window of the database: zero committed transactions).
SQLDB=postgres sql "$PG_A" "ALTER SYSTEM SET synchronous_standby_names = 'regionb'" >/dev/null
SQLDB=postgres sql "$PG_A" "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 100); do
  [ "$(SQLDB=postgres sql "$PG_A" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'regionb'")" = sync ] && break
  sleep 0.1
done
[ "$(SQLDB=postgres sql "$PG_A" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'regionb'")" = sync ] \
  || die "the replica did not become the synchronous standby; see $WORK/pglog/pg-b.log"
say "replica streaming, sync_state = sync; pg_is_in_recovery() on B: $(SQLDB=postgres sql "$PG_B" "SELECT pg_is_in_recovery()")"

# ---- Redis A and B (AOF), blob folders A and B with a copy loop -------------------------------------------------------
for port in "$REDIS_A" "$REDIS_B"; do
  mkdir -p "$WORK/redis-$port"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$WORK/redis-$port" --appendonly yes --save "" \
    --maxmemory-policy noeviction --daemonize yes --pidfile "$WORK/redis-$port/pid" --logfile "$WORK/redis-$port.log"
done
for port in "$REDIS_A" "$REDIS_B"; do
  for _ in $(seq 50); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
done
BLOBS_A="$WORK/blobs-a"; BLOBS_B="$WORK/blobs-b"
mkdir -p "$BLOBS_A" "$BLOBS_B"
# S3 cross-region replication stands for this loop in production: objects reach B some time after A has them
# (here up to SYNC_INTERVAL plus one copy pass; S3 Replication Time Control promises 99.99 % within 15 minutes).
( while true; do cp -a -u "$BLOBS_A/." "$BLOBS_B/" 2>/dev/null || true; sleep "$SYNC_INTERVAL"; done ) &
SYNC_PID=$!; PIDS+=("$SYNC_PID")

# ---- region A: API and workers; region B: a warm API on the standby --------------------------------------------------
export DOCFLOW__Logging__LogLevel__Default=Warning OMP_THREAD_LIMIT=1
serve() { # serve PORT REDIS DBPORT BLOBS LOG
  "$BIN" serve --urls "http://127.0.0.1:$1" --workers 0 --redis "127.0.0.1:$2" --database "$(db "$3")" --storage "$4" >"$5" 2>&1 &
  echo "$!"
}
worker() { # worker REDIS DBPORT BLOBS LOG
  "$BIN" worker --slots 1 --metrics-port 0 --grace 1 --redis "127.0.0.1:$1" --database "$(db "$2")" --storage "$3" >"$4" 2>&1 &
  echo "$!"
}
ready() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/readyz" 2>/dev/null || true; }
wait_ready() { # wait_ready PORT SECONDS
  for _ in $(seq $(($2 * 10))); do [ "$(ready "$1")" = 200 ] && return 0; sleep 0.1; done
  return 1
}

say "docflow db migrate on the primary (replicated to the standby)"
"$BIN" db migrate --database "$(db "$PG_A")" >"$WORK/migrate.log" 2>&1 || die "migration failed; see $WORK/migrate.log"
say "region A: API on $API_A, $WORKERS workers"
API_A_PID=$(serve "$API_A" "$REDIS_A" "$PG_A" "$BLOBS_A" "$WORK/api-a.log"); PIDS+=("$API_A_PID")
wait_ready "$API_A" 120 || die "region A's API did not get ready; see $WORK/api-a.log"
A_WORKERS=()
for i in $(seq "$WORKERS"); do A_WORKERS+=("$(worker "$REDIS_A" "$PG_A" "$BLOBS_A" "$WORK/worker-a$i.log")"); done
PIDS+=("${A_WORKERS[@]}")

say "region B: warm API on $API_B (standby database, empty Redis B, blob folder B), no workers"
API_B_PID=$(serve "$API_B" "$REDIS_B" "$PG_B" "$BLOBS_B" "$WORK/api-b.log"); PIDS+=("$API_B_PID")
for _ in $(seq 1200); do [ "$(ready "$API_B")" = 503 ] && break; sleep 0.1; done
STANDBY=$(curl -s --max-time 2 "http://127.0.0.1:$API_B/readyz" || true)
say "region B /readyz before failover: $(ready "$API_B") $(jq -c '.checks.database' <<<"$STANDBY" 2>/dev/null || echo "$STANDBY")"
grep -q "read-only standby" <<<"$STANDBY" || { echo "VIOLATION: the standby API does not say read-only standby: $STANDBY"; exit 1; }

# ---- submit M unique documents to A ----------------------------------------------------------------------------------
SAMPLES=(receipt-digital.pdf invoice-digital.pdf form-filled.pdf report-multipage.pdf receipt-shop.jpg)
mkdir -p "$WORK/docs"
submit() { # submit PORT N → prints the job id, or nothing if not accepted
  local name="${SAMPLES[$(($2 % ${#SAMPLES[@]}))]}" file="$WORK/docs/doc-$2-${SAMPLES[$(($2 % ${#SAMPLES[@]}))]}"
  cp "$ROOT/samples/$name" "$file"
  # Unique bytes, so deduplication does not answer from an earlier result: a PDF comment after %%EOF, bytes after a JPEG's EOI.
  printf '\n%%region-failover %s %s\n' "$2" "$RANDOM$RANDOM" >>"$file"
  curl -s --max-time 10 -w '\n%{http_code}' -F "file=@$file" "http://127.0.0.1:$1/api/v1/documents" 2>/dev/null \
    | { read -r body; read -r code; [ "$code" = 202 ] && jq -r .id <<<"$body"; } || true
}
say "submitting $DOCS documents to region A"
: >"$WORK/accepted"
for i in $(seq 1 "$DOCS"); do
  id=$(submit "$API_A" "$i")
  [ -n "$id" ] && echo "$id" >>"$WORK/accepted"
done
ACCEPTED=$(wc -l <"$WORK/accepted")
say "$ACCEPTED documents accepted (202) by region A"
[ "$ACCEPTED" -eq "$DOCS" ] || { echo "VIOLATION: only $ACCEPTED of $DOCS submissions accepted before any failure"; exit 1; }

ended() { sql "$1" "SELECT count(*) FROM jobs WHERE status IN ('succeeded', 'failed') AND route <> 'report'"; }
for _ in $(seq 3000); do [ "$(ended "$PG_A")" -ge "$FAIL_AT" ] && break; sleep 0.05; done

# ---- fail region A ---------------------------------------------------------------------------------------------------
T_FAIL=$(now)
kill -9 "$API_A_PID" "${A_WORKERS[@]}" 2>/dev/null || true
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg-a" -m immediate stop >/dev/null 2>&1 || true
redis-cli -p "$REDIS_A" shutdown nosave >/dev/null 2>&1 || true
# The blob copy loop stops with region A: what B lacks now was inside the replication window.
kill -9 "$SYNC_PID" 2>/dev/null || true
wait "$SYNC_PID" 2>/dev/null || true
UNREPLICATED=$(cd "$BLOBS_A" && find . -type f | while read -r f; do [ -e "$BLOBS_B/$f" ] || echo "$f"; done | wc -l)
say "REGION A FAILED (API and workers SIGKILLed, PostgreSQL stopped immediate, Redis shut down without saving)"
say "blobs of A not yet copied to B at the failure: $UNREPLICATED"
# S3 keeps replicating objects already written when only compute and the database fail; the simulation does the same
# with one last pass (a lost region's bucket would lose these: that is the blob data-loss window).
cp -a -u "$BLOBS_A/." "$BLOBS_B/" 2>/dev/null || true

# ---- fail over to B --------------------------------------------------------------------------------------------------
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg-b" -w promote >/dev/null
T_PROMOTED=$(now)
say "replica promoted ($(since "$T_FAIL" "$T_PROMOTED") s after the failure); pg_is_in_recovery(): $(SQLDB=postgres sql "$PG_B" "SELECT pg_is_in_recovery()")"
B_WORKERS=()
for i in $(seq "$WORKERS"); do B_WORKERS+=("$(worker "$REDIS_B" "$PG_B" "$BLOBS_B" "$WORK/worker-b$i.log")"); done
PIDS+=("${B_WORKERS[@]}")
wait_ready "$API_B" 120 || { echo "VIOLATION: region B's API did not get ready within 120 s; see $WORK/api-b.log"; exit 1; }
T_READY=$(now)
say "region B ready (/readyz 200) $(since "$T_FAIL" "$T_READY") s after the failure"
for _ in $(seq 1200); do
  marker=$(redis-cli -p "$REDIS_B" get docflow:generation 2>/dev/null || true)
  [ -n "$marker" ] && [ "${marker#rebuilding:}" = "$marker" ] && break
  sleep 0.1
done
T_REBUILT=$(now)
say "queue B rebuilt from the promoted database $(since "$T_FAIL" "$T_REBUILT") s after the failure (docflow:generation = $marker)"
# DNS / the global load balancer now sends clients to B: new documents go there.
: >"$WORK/accepted-b"
for i in $(seq "$((DOCS + 1))" "$((DOCS + AFTER))"); do
  id=$(submit "$API_B" "$i")
  [ -n "$id" ] && echo "$id" >>"$WORK/accepted-b"
done
say "$(wc -l <"$WORK/accepted-b") of $AFTER new documents accepted by region B"

TOTAL=$((ACCEPTED + $(wc -l <"$WORK/accepted-b")))
DELAYED=$((ACCEPTED - $(sql "$PG_B" "SELECT count(*) FROM jobs WHERE status IN ('succeeded', 'failed') AND route <> 'report' AND finished_at <= to_timestamp($T_FAIL)")))
for _ in $(seq 6000); do [ "$(ended "$PG_B")" -ge "$TOTAL" ] && break; sleep 0.1; done
T_DONE=$(now)
say "every document ended $(since "$T_FAIL" "$T_DONE") s after the failure"

# ---- check -----------------------------------------------------------------------------------------------------------
VIOLATIONS=0
ids=$(cat "$WORK/accepted" "$WORK/accepted-b" | sed "s/.*/'&'/" | paste -sd,)
report() { sql "$PG_B" "$1"; }
found=$(report "SELECT count(*) FROM jobs WHERE id IN ($ids)")
succeeded=$(report "SELECT count(*) FROM jobs WHERE id IN ($ids) AND status = 'succeeded'")
results=$(report "SELECT count(*) FROM job_results WHERE job_id IN ($ids)")
jobs_total=$(report "SELECT count(*) FROM jobs WHERE route <> 'report'")
rerun=$(report "SELECT count(*) FROM (SELECT job_id FROM job_status_changes WHERE job_id IN ($ids) AND status = 'processing' GROUP BY job_id HAVING count(*) > 1) x")
not_ok=$(report "SELECT id || ' ' || status || ' ' || coalesce(error_message, '') FROM jobs WHERE id IN ($ids) AND status <> 'succeeded'")
[ "$found" -eq "$TOTAL" ] || { echo "VIOLATION: $((TOTAL - found)) accepted documents lost (not in the promoted database)"; VIOLATIONS=1; }
[ "$jobs_total" -eq "$TOTAL" ] || { echo "VIOLATION: $jobs_total document jobs for $TOTAL accepted documents (duplicates)"; VIOLATIONS=1; }
[ "$succeeded" -eq "$TOTAL" ] || { echo "VIOLATION: $((TOTAL - succeeded)) documents did not succeed:"; echo "$not_ok"; VIOLATIONS=1; }
[ "$results" -eq "$TOTAL" ] || { echo "VIOLATION: $results results for $TOTAL documents"; VIOLATIONS=1; }
result_http=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$API_B/api/v1/documents/$(head -1 "$WORK/accepted")/result")
[ "$result_http" = 200 ] || { echo "VIOLATION: the first document's result answers $result_http on region B"; VIOLATIONS=1; }

echo
echo "== region failover: $DOCS documents, $WORKERS workers per region, failure after $FAIL_AT ended"
printf '%-52s %s
' \
  "documents accepted by A before the failure" "$ACCEPTED" \
  "documents accepted by B after the failover" "$((TOTAL - ACCEPTED))" \
  "succeeded, exactly one result each" "$succeeded of $TOTAL ($results results)" \
  "documents delayed by the failure (open at failure)" "$DELAYED" \
  "  of which re-run (were processing at failure)" "$rerun" \
  "failure -> replica promoted" "$(since "$T_FAIL" "$T_PROMOTED") s" \
  "failure -> region B ready (/readyz 200)" "$(since "$T_FAIL" "$T_READY") s" \
  "failure -> queue B rebuilt from the database" "$(since "$T_FAIL" "$T_REBUILT") s" \
  "failure -> every document ended" "$(since "$T_FAIL" "$T_DONE") s" \
  "data-loss window, database (synchronous replica)" "0 committed transactions" \
  "data-loss window, blobs (copy loop, CRR in prod)" "up to ${SYNC_INTERVAL} s + one pass; $UNREPLICATED objects were in it" \
  "violations" "$VIOLATIONS"
exit "$VIOLATIONS"
