# The Python AgentDesk's venv is made from; sourced by installers/dev.sh.

# A real interpreter for `name`, or nothing: a version manager's shim (pyenv)
# stands for every version it knows and prints errors for the rest, so it is
# resolved to the file it would run instead of being run.
real_python() {
  local found
  found=$(command -v "$1") || return 0
  case "$found" in
    */shims/*) command -v pyenv >/dev/null && pyenv which "$1" 2>/dev/null || true ;;
    *) echo "$found" ;;
  esac
}

pick_python() {
  local candidate
  for name in python3.12 python3.11 python3; do
    candidate=$(real_python "$name")
    if [ -n "$candidate" ] &&
       "$candidate" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 12)))' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  echo "AgentDesk needs Python 3.11 or 3.12 (pyproject.toml's requires-python)." >&2
  exit 1
}
