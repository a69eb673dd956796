# Background jobs that end with the script that started them; sourced by
# installers/dev.sh demo.
#
# Each job runs in a session (and process group) of its own, so that
# stopping it stops whatever it started too; every job is stopped when the
# script exits, however it exits: normally, on Ctrl+C, on SIGTERM or when
# its terminal closes.

JOBS=()

start_job() {
  setsid "$@" &
  JOBS+=("$!")
}

stop_jobs() {
  local pid
  for pid in "${JOBS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${JOBS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  JOBS=()
}

trap stop_jobs EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
