#!/bin/sh
# `make install DESTDIR=TMP` from the build directory installs exactly the
# expected files; the installed binary, Python module, plugin, completion and
# example unit work from there; `make uninstall DESTDIR=TMP` leaves no file.
# Runs from the build directory (make check); MAKE picks the make program.
# Exit 77 (skipped) when tcpflow has not been built.
here=$(dirname "$0")
srcdir=${srcdir:-$here/../..}
make=${MAKE:-make}
if [ ! -x ./tcpflow ] || [ ! -f Makefile ]; then
  echo "SKIP: run from a configured build directory with tcpflow built"
  exit 77
fi
case $srcdir in /*) ;; *) srcdir=$(pwd)/$srcdir ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpflow-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/root
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# A make started by a test must not use the outer make's job server.
unset MAKEFLAGS MFLAGS MAKELEVEL
eval "$($make -s print-install-dirs)" || { echo "ERROR: make print-install-dirs failed"; exit 99; }
if ! $make -s install DESTDIR="$dest" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"
  fail "make install DESTDIR=$dest failed"
  exit 1
fi

# The file list: exactly these (byte-compiled copies of the module aside).
cat > "$tmp/want" <<EOF
$bindir/tcpflow
$mandir/man1/tcpflow.1
$pythondir/tcpflow_report.py
$pkgdatadir/plugins/flow_summary.py
$bashcompletiondir/tcpflow
$docdir/examples/README
$docdir/examples/tcpflow-capture@.service
$docdir/examples/tcpflow-proxy@.service
EOF
sort -o "$tmp/want" "$tmp/want"
(cd "$dest" && find . -type f ! -name '*.pyc' | sed 's/^\.//' | sort) > "$tmp/got"
if cmp -s "$tmp/want" "$tmp/got"; then
  ok "make install put exactly these files: $(tr '\n' ' ' < "$tmp/got")"
else
  fail "make install file list differs (< expected by tests/pkg/check_install.sh, > installed; list new installed files there):"
  diff "$tmp/want" "$tmp/got"
fi
[ -x "$dest$bindir/tcpflow" ] || fail "$bindir/tcpflow is not executable"
head -n 5 "$dest$mandir/man1/tcpflow.1" 2>/dev/null | grep -q '^\.TH' || fail "tcpflow.1 has no .TH line"

# The installed binary gives the same flow files as the build's binary.
./tcpflow -r "$srcdir/testdata/http-demo.pcap" -o "$tmp/build-out" >/dev/null 2>&1
if "$dest$bindir/tcpflow" -r "$srcdir/testdata/http-demo.pcap" -o "$tmp/out" >"$tmp/run.log" 2>&1 &&
   diff -r -x report.xml "$tmp/build-out" "$tmp/out" >/dev/null && [ -f "$tmp/out/report.xml" ]; then
  ok "installed tcpflow on testdata/http-demo.pcap: $(ls "$tmp/out" | grep -vc report.xml) flow files, same as the build's"
else
  cat "$tmp/run.log"
  fail "installed tcpflow on testdata/http-demo.pcap"
fi

# The module imports from pythondir and reads that report.
flows=$(ls "$tmp/out" | grep -vc report.xml)
got=$(cd "$tmp" && PYTHONPATH="$dest$pythondir" PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -c '
import sys, tcpflow_report
assert tcpflow_report.__file__.startswith(sys.argv[1]), tcpflow_report.__file__
print(len(tcpflow_report.load(sys.argv[2]).flows))' "$dest$pythondir" "$tmp/out/report.xml" 2>&1)
if [ "$got" = "$flows" ]; then
  ok "import tcpflow_report with PYTHONPATH=$dest$pythondir: $got flows in the report"
else
  fail "import tcpflow_report from $dest$pythondir: want $flows flows, got: $got"
fi
if (cd "$tmp" && PYTHONPATH="$dest$pythondir" PYTHONDONTWRITEBYTECODE=1 \
    "$PYTHON" -m tcpflow_report --summary "$tmp/out/report.xml" >"$tmp/summary.txt" 2>&1) &&
   [ -s "$tmp/summary.txt" ]; then
  ok "python3 -m tcpflow_report --summary"
else
  cat "$tmp/summary.txt"
  fail "python3 -m tcpflow_report --summary"
fi

# The sample plugin runs from the installed plugins directory (when this
# build embeds Python).
if "$dest$bindir/tcpflow" -r "$srcdir/testdata/http-demo.pcap" -o "$tmp/py" -e python \
     -S py_path="$dest$pkgdatadir/plugins" -S py_module=flow_summary -S py_function=summary \
     >"$tmp/py.log" 2>&1; then
  n=$(grep -c 'printable=' "$tmp/py/report.xml")
  if [ "$n" -eq "$flows" ]; then ok "installed flow_summary plugin ran on $n flows"
  else fail "installed flow_summary plugin: $n of $flows flows have its summary"; fi
elif grep -q 'python3-dev' "$tmp/py.log"; then
  echo "note: this build has no embedded Python; the installed plugin was not run"
else
  cat "$tmp/py.log"
  fail "tcpflow -e python with the installed plugin"
fi

# The completion loads in bash and completes with the installed binary.
if command -v bash >/dev/null 2>&1; then
  spec=$(bash --norc --noprofile -c "source '$dest$bashcompletiondir/tcpflow' && complete -p tcpflow" 2>&1)
  [ "$spec" = "complete -F _tcpflow tcpflow" ] && ok "installed completion: $spec" ||
    fail "installed completion: complete -p tcpflow printed: $spec"
  if ! TCPFLOW="$dest$bindir/tcpflow" COMPLETION="$dest$bashcompletiondir/tcpflow" \
       sh "$srcdir/tests/pkg/check_completion.sh" >"$tmp/completion.log" 2>&1; then
    cat "$tmp/completion.log"
    fail "the completion tests on the installed files"
  fi
fi

# The example unit's ExecStart options are accepted by the installed binary
# (on a capture file instead of the interface).
args=$(sed -n 's/^ExecStart=tcpflow //p' "$dest$docdir/examples/tcpflow-capture@.service" |
  sed -e "s|-i %I|-r $srcdir/testdata/http-demo.pcap|" -e "s|/var/lib/tcpflow/%i|$tmp/unit|g")
mkdir "$tmp/unit"
# shellcheck disable=SC2086 # the unit's words, split as systemd splits them
if [ -n "$args" ] && "$dest$bindir/tcpflow" $args >"$tmp/unit.log" 2>&1 && [ -s "$tmp/unit/flows.jsonl" ]; then
  ok "example unit's command line runs: tcpflow $args"
else
  cat "$tmp/unit.log"
  fail "example unit's command line (tcpflow $args)"
fi

if ! $make -s uninstall DESTDIR="$dest" >"$tmp/uninstall.log" 2>&1; then
  cat "$tmp/uninstall.log"
  fail "make uninstall DESTDIR=$dest failed"
fi
left=$(cd "$dest" && find . ! -type d)
if [ -z "$left" ]; then ok "make uninstall left no file"
else fail "make uninstall left: $left"; fi
for d in "$pkgdatadir" "$docdir"; do
  [ ! -e "$dest$d" ] || fail "make uninstall left the directory $d"
done

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
