# Sourced by the make check entries that run one Python test script, so they
# agree on the rules automake's harness reads: 0 pass, 1 fail, 77 skip, 99
# hard error. Runs from the build directory (builds may be out of tree);
# $srcdir comes from the harness, TCPFLOW overrides the binary under test.
#
#   run_python_test [--root] [--no-binary] [--timeout SECONDS] SCRIPT [ARGS...]
#     --root       skip (77) unless running as root (live capture, netns, ...)
#     --no-binary  the script does not run tcpflow: do not require one
#     SCRIPT       relative to the source tree; ARGS may use $tcpflow, $srcdir
here=$(dirname "$0")
srcdir=${srcdir:-$here/../..}
tcpflow=${TCPFLOW:-./tcpflow}
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE srcdir

run_python_test() {
  need_root=0 need_binary=1 timeout_s=""
  while :; do
    case "$1" in
      --root) need_root=1; shift ;;
      --no-binary) need_binary=0; shift ;;
      --timeout) timeout_s=$2; shift 2 ;;
      *) break ;;
    esac
  done
  script=$1
  shift
  if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 not found"
    exit 77
  fi
  if [ "$need_root" = 1 ] && [ "$(id -u)" != 0 ]; then
    echo "SKIP: $script needs root (uid $(id -u))"
    exit 77
  fi
  if [ "$need_binary" = 1 ] && [ ! -x "$tcpflow" ]; then
    echo "ERROR: no tcpflow binary at '$tcpflow' (set TCPFLOW or build first)" >&2
    exit 99
  fi
  if [ -n "$timeout_s" ]; then
    exec timeout "$timeout_s" python3 "$srcdir/$script" "$@"
  fi
  exec python3 "$srcdir/$script" "$@"
}
