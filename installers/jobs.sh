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

# Wait for the last job started (the one the user works in) to end. Unlike
# a command in the foreground, a wait gives way to a signal at once, so a
# `kill` of this script stops everything even while that job runs.
wait_last_job() {
  wait "${JOBS[-1]}"
}

stop_jobs() {
  # Last started first, each waited for: the desktop quits (hanging up,
  # unregistering) while the screen it is shown on is still there.
  local i pid
  for ((i = ${#JOBS[@]} - 1; i >= 0; i--)); do
    pid=${JOBS[$i]}
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  JOBS=()
}

trap stop_jobs EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
