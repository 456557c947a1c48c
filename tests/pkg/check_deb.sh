#!/bin/sh
# Checks a built tcpflow2 .deb from its files alone: unpacks it with dpkg -x
# into a fresh directory and checks the file list, runs the unpacked
# /usr/bin/tcpflow on testdata (same flow files as $TCPFLOW, when given),
# imports the unpacked Python module with Debian's python3, runs the sample
# plugin, and loads the bash completion (complete -p tcpflow) and completes
# with it. Used by .ci/run. Usage: check_deb.sh PACKAGE.deb [SRCDIR]
deb=$1
srcdir=${2:-$(dirname "$0")/../..}
[ -f "$deb" ] || { echo "usage: $0 PACKAGE.deb [SRCDIR]" >&2; exit 2; }
case $srcdir in /*) ;; *) srcdir=$(pwd)/$srcdir ;; esac
python=/usr/bin/python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpflow-deb.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

dpkg -x "$deb" "$root" || { echo "FAIL: dpkg -x $deb"; exit 1; }
for f in /usr/bin/tcpflow /usr/share/man/man1/tcpflow.1.gz \
         /usr/lib/python3/dist-packages/tcpflow_report.py \
         /usr/share/tcpflow/plugins/flow_summary.py \
         /usr/share/bash-completion/completions/tcpflow \
         /usr/share/doc/tcpflow2/examples/tcpflow-capture@.service \
         /usr/share/doc/tcpflow2/README.Debian /usr/share/doc/tcpflow2/copyright; do
  [ -f "$root$f" ] || fail "$f is not in the package"
done
stray=$(cd "$root" && find . -name '*.pyc' -o -path './usr/local*' -o -name '__pycache__')
[ -z "$stray" ] || fail "the package holds $stray"
[ "$failures" -eq 0 ] && ok "package holds the binary, man page, module, plugin, completion, examples"
for field in Package Conflicts Replaces; do
  echo "  $field: $(dpkg-deb -f "$deb" "$field")"
done
dpkg-deb -f "$deb" Conflicts | grep -qw tcpflow || fail "no Conflicts: tcpflow"
# libpython and cairo are loaded with dlopen(), so dpkg-shlibdeps does not see
# them: debian/rules adds them to Depends (${dlopen:Depends}).
depends=$(dpkg-deb -f "$deb" Depends)
echo "  Depends: $depends"
for library in libpython3 libcairo2; do
  echo "$depends" | grep -q "$library" || fail "Depends names no $library package"
done

bin=$root/usr/bin/tcpflow
if "$bin" -r "$srcdir/testdata/http-demo.pcap" -o "$tmp/out" >"$tmp/run.log" 2>&1 &&
   [ -f "$tmp/out/report.xml" ]; then
  ok "unpacked tcpflow on testdata/http-demo.pcap: $(ls "$tmp/out" | tr '\n' ' ')"
else
  cat "$tmp/run.log"
  fail "unpacked tcpflow on testdata/http-demo.pcap"
fi
if [ -n "${TCPFLOW:-}" ]; then
  "$TCPFLOW" -r "$srcdir/testdata/http-demo.pcap" -o "$tmp/ref" >/dev/null 2>&1
  diff -r -x report.xml "$tmp/ref" "$tmp/out" >/dev/null &&
    ok "same flow files as $TCPFLOW" || fail "flow files differ from $TCPFLOW's"
fi
"$bin" -V >/dev/null 2>&1 || fail "tcpflow -V"

flows=$(ls "$tmp/out" | grep -vc report.xml)
got=$(cd "$tmp" && PYTHONPATH="$root/usr/lib/python3/dist-packages" PYTHONDONTWRITEBYTECODE=1 \
  "$python" -c '
import sys, tcpflow_report
assert tcpflow_report.__file__.startswith(sys.argv[1]), tcpflow_report.__file__
print(len(tcpflow_report.load(sys.argv[2]).flows))' "$root" "$tmp/out/report.xml" 2>&1)
[ "$got" = "$flows" ] && ok "import tcpflow_report (unpacked, $python): $got flows" ||
  fail "import tcpflow_report from the package: want $flows flows, got: $got"

if "$bin" -r "$srcdir/testdata/http-demo.pcap" -o "$tmp/py" -e python \
     -S py_path="$root/usr/share/tcpflow/plugins" -S py_module=flow_summary \
     -S py_function=summary >"$tmp/py.log" 2>&1 &&
   [ "$(grep -c 'printable=' "$tmp/py/report.xml")" -eq "$flows" ]; then
  ok "packaged flow_summary plugin ran on every flow"
else
  cat "$tmp/py.log"
  fail "tcpflow -e python with the packaged plugin"
fi

completion=$root/usr/share/bash-completion/completions/tcpflow
spec=$(bash --norc --noprofile -c "source '$completion'; complete -p tcpflow" 2>&1)
[ "$spec" = "complete -F _tcpflow tcpflow" ] && ok "bash: source completion; complete -p tcpflow: $spec" ||
  fail "complete -p tcpflow printed: $spec"
if TCPFLOW=$bin COMPLETION=$completion sh "$srcdir/tests/pkg/check_completion.sh" >"$tmp/compl.log" 2>&1; then
  ok "completion tests with the packaged binary and script"
else
  cat "$tmp/compl.log"
  fail "completion tests with the packaged files"
fi

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
