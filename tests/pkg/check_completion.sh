#!/bin/sh
# Checks the bash completion (completion/tcpflow, or $COMPLETION): it loads
# (`complete -p tcpflow`) and completes options, -e/-x scanner names, -S
# settings and their values, -F letters, interfaces after -i, files after -r
# and -l, directories after -o. Names come from the binary under test
# ($TCPFLOW, default ./tcpflow). Exit 77 (skipped) without bash or binary.
here=$(dirname "$0")
srcdir=${srcdir:-$here/../..}
COMPLETION=${COMPLETION:-$srcdir/completion/tcpflow}
TCPFLOW=${TCPFLOW:-./tcpflow}
if ! command -v bash >/dev/null 2>&1; then
  echo "SKIP: bash not found"
  exit 77
fi
if [ ! -x "$TCPFLOW" ]; then
  echo "SKIP: $TCPFLOW not built"
  exit 77
fi
case $TCPFLOW in /*) ;; *) TCPFLOW=$(pwd)/$TCPFLOW ;; esac
case $COMPLETION in /*) ;; *) COMPLETION=$(pwd)/$COMPLETION ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpflow-completion.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/caps" "$tmp/caps/outdir"
: > "$tmp/caps/a.pcap"
: > "$tmp/caps/b.pcapng"
cd "$tmp/caps" || exit 1
LC_ALL=C
export LC_ALL

cat > "$tmp/test.bash" <<'EOF'
failures=0
source "$COMPLETION" || { echo "FAIL: cannot source $COMPLETION"; exit 1; }
spec=$(complete -p tcpflow 2>&1)
if [ "$spec" = "complete -F _tcpflow tcpflow" ]; then echo "ok: complete -p tcpflow: $spec"
else echo "FAIL: complete -p tcpflow printed: $spec"; failures=$((failures + 1)); fi

# What bash sets for completing the last of WORDs (an empty one: after a
# blank): the line up to the cursor; COMP_WORDS split as bash splits them,
# at blanks and at COMP_WORDBREAKS characters such as =.
line_for() {
  COMP_LINE="$TCPFLOW $*"
  COMP_POINT=${#COMP_LINE}
  COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
  COMP_WORDS=("$TCPFLOW")
  local w
  for w in "$@"; do
    if [[ $w == *=* ]]; then COMP_WORDS+=("${w%%=*}" "=" ); [ -n "${w#*=}" ] && COMP_WORDS+=("${w#*=}")
    else COMP_WORDS+=("$w"); fi
  done
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
}
# expect WANT WORD...: completing the last WORD gives exactly WANT (sorted,
# space-separated; the program word is the binary under test).
expect() {
  local want=$1 got
  shift
  line_for "$@"
  COMPREPLY=()
  _tcpflow 2>"$PWD/../stderr"
  got=$(printf "%s\n" "${COMPREPLY[@]}" | sed "/^\$/d" | sort | tr "\n" " " | sed "s/ \$//")
  if [ "$got" = "$want" ] && [ ! -s "$PWD/../stderr" ]; then
    echo "ok: tcpflow $* -> $got"
  else
    echo "FAIL: tcpflow $*: want [$want], got [$got] $(cat "$PWD/../stderr")"
    failures=$((failures + 1))
  fi
}
# contains WORD... -- ARGS: completing ARGS offers every WORD.
contains() {
  local words=() w
  while [ "$1" != "--" ]; do words+=("$1"); shift; done
  shift
  line_for "$@"
  COMPREPLY=()
  _tcpflow 2>/dev/null
  for w in "${words[@]}"; do
    if printf "%s\n" "${COMPREPLY[@]}" | grep -qxF -- "$w"; then :; else
      echo "FAIL: tcpflow $*: [$w] not offered (got: ${COMPREPLY[*]})"
      failures=$((failures + 1)); return
    fi
  done
  echo "ok: tcpflow $* offers ${words[*]}"
}

contains -r -i -o -e -x -E -S -F -T -c -J -hh --overlap --threads --chroot -- -
expect "--overlap" --ov
expect "--relinquish-privileges" --rel
contains md5 http python all -- -e ""
expect "http" -e h
expect "md5" -x m
expect "python" -E py
expect "max_flows= max_fragment_bytes= max_held_bytes= max_linger=" -S max_
expect "NO YES" -S enable_report=
expect "NO" -S enable_report=N
expect "4" -S tcp_cmd_jobs=
expect "a.pcap" -S jsonl=a
expect "outdir" -S py_path=
contains jsonl= tcp_timeout= py_module= sha256_inputs= -- -S ""
expect "M T X c g k m t" -F ""
expect "kM kT kX kc kg km kt" -F k
expect "first last" --overlap ""
contains lo any -- -i ""
expect "lo" -i l
expect "a.pcap b.pcapng outdir" -r ""
expect "a.pcap" -r a
expect "b.pcapng" -o out -l a.pcap b
expect "outdir" -o ""
expect "" -o a
expect "" port ""
# A program word that is not tcpflow-like must not print errors.
COMP_LINE="/nonexistent/tcpflow -x "; COMP_POINT=${#COMP_LINE}
err=$(_tcpflow 2>&1) && [ -z "$err" ] && echo "ok: a missing binary completes without error" ||
  { echo "FAIL: completion with a missing binary failed"; failures=$((failures + 1)); }
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
EOF
TCPFLOW=$TCPFLOW COMPLETION=$COMPLETION bash --norc --noprofile "$tmp/test.bash"
