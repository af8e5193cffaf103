#!/usr/bin/env bash
# What `docker compose up` runs (compose.yaml), by hand where Docker is missing: a throwaway
# PostgreSQL, one bot (`nhacviec run`: receives, answers, delivers) and two delivery workers
# (`nhacviec worker`), all on loopback. Ctrl-C (or SIGTERM) stops the three and the database.
#
#   TELEGRAM_BOT_TOKEN=… scripts/compose_by_hand.sh
#   # or against the fake Bot API, for a try without Telegram:
#   python -m tests.fakes.telegram_api --port 8081 &
#   TELEGRAM_BOT_TOKEN=123456789:AAFakeTokenForNhacviecTests0123456 \
#   TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot scripts/compose_by_hand.sh
#
# DATABASE_URL, when set, is used instead of the throwaway database.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/.venv/bin"
: "${TELEGRAM_BOT_TOKEN:?set TELEGRAM_BOT_TOKEN (the service refuses to start without it)}"

own_database=0
if [ -z "${DATABASE_URL:-}" ]; then
  # A port of its own, so the test suite's cluster of this checkout is left alone.
  export NHACVIEC_TEST_POSTGRES_PORT="${COMPOSE_POSTGRES_PORT:-$(( 55000 + RANDOM % 900 ))}"
  DATABASE_URL=$("$here/scripts/postgres.sh" start)
  [ -n "$DATABASE_URL" ] || { echo "no PostgreSQL server here" >&2; exit 1; }
  own_database=1
fi
export DATABASE_URL
# Three processes send with one token: each keeps to a third of Telegram's 30 messages/s.
export TELEGRAM_MAX_PER_SECOND="${TELEGRAM_MAX_PER_SECOND:-10}"

pids=()
stop_all() {
  trap - INT TERM EXIT
  [ "${#pids[@]}" -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  if [ "$own_database" = 1 ]; then "$here/scripts/postgres.sh" stop; fi
}
trap stop_all INT TERM EXIT

"$bin/nhacviec" migrate                       # compose: the bot's start-up migration
"$bin/nhacviec" run & pids+=($!)              # compose service "bot"
"$bin/nhacviec" worker & pids+=($!)           # compose service "worker", replica 1
"$bin/nhacviec" worker & pids+=($!)           # compose service "worker", replica 2
echo "compose_by_hand: bot ${pids[0]}, workers ${pids[1]} ${pids[2]} on $DATABASE_URL" >&2
wait -n "${pids[@]}"                          # one stopped by itself: stop the others too
