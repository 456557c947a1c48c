#!/bin/sh
# Checks that libpython and cairo are loaded only by the runs that use them
# (src/util/lazy_library.h): a plain run and --version map neither, -e python
# maps libpython and -e netviz maps cairo, and both still work when loaded.
# The dynamic loader reports what it maps under LD_DEBUG=files.
# Uses ./tcpflow unless TCPFLOW is set; exits 77 (skipped) when not built.
TCPFLOW=${TCPFLOW:-./tcpflow}
here=$(dirname "$0")
srcdir=${srcdir:-$here/../..}
capture=$srcdir/testdata/http-demo.pcap
plugins=$srcdir/python/plugins

if [ ! -x "$TCPFLOW" ]; then
  echo "SKIP: $TCPFLOW not built"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpflow-lazy.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# maps NAME LIBRARY ARGS...: runs tcpflow with ARGS; true when it mapped a
# file whose name starts with LIBRARY. A failed run fails the test.
maps() {
  name=$1 library=$2
  shift 2
  if ! LD_DEBUG=files "$TCPFLOW" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"; then
    fail "$name: tcpflow $* exited non-zero:"
    grep -v '^ *[0-9]*:' "$tmp/$name.err" | head -n 5
    return 1
  fi
  grep -q "file=$library" "$tmp/$name.err"
}

# The loader's report must be there at all, or every check below is void.
maps version libstdc++ --version || fail "LD_DEBUG=files reported nothing the test can read"
for library in libpython libcairo; do
  maps version "$library" --version && fail "--version loaded $library"
  maps plain "$library" -r "$capture" -o "$tmp/plain" && fail "a plain run loaded $library"
done
[ -f "$tmp/plain/report.xml" ] || fail "the plain run wrote no report.xml"

if "$TCPFLOW" -H 2>&1 | grep -E '^ *netviz' | grep -q 'not available'; then
  echo "SKIP (part): netviz is not available in this build"
else
  maps netviz libcairo -r "$capture" -o "$tmp/netviz" -e netviz \
    || fail "-e netviz did not load libcairo"
  [ -s "$tmp/netviz/report.png" ] || fail "-e netviz drew no report.png"
  maps netviz-python libpython -r "$capture" -o "$tmp/netviz2" -e netviz \
    && fail "-e netviz loaded libpython"
fi

if "$TCPFLOW" -H 2>&1 | grep -E '^ *python' | grep -q 'not available\|not built'; then
  echo "SKIP (part): the python scanner is not available in this build"
else
  maps python libpython -r "$capture" -o "$tmp/python" -e python -S "py_path=$plugins" \
    -S py_module=flow_summary -S py_function=summary || fail "-e python did not load libpython"
  grep -q '<tcpflow:python>bytes=' "$tmp/python/report.xml" 2>/dev/null \
    || fail "-e python put no plugin result in report.xml"
  maps python-cairo libcairo -r "$capture" -o "$tmp/python2" -e python -S "py_path=$plugins" \
    -S py_module=flow_summary -S py_function=summary && fail "-e python loaded libcairo"
fi

[ "$failures" -eq 0 ] || exit 1
echo "PASS: libpython and cairo are loaded only when used"
