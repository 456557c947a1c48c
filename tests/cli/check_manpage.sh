#!/bin/sh
# Checks that doc/tcpflow.1 documents every option, -S setting (with its
# default), -F letter and template code that the binary's -h/-hh lists, and
# that the informational and usage-error exit codes are right.
# Uses ./tcpflow from the build directory unless TCPFLOW is set; exits 77
# (skipped) when the binary has not been built.

set -f  # words from the help text are split below, never globbed
TCPFLOW=${TCPFLOW:-./tcpflow}
here=$(dirname "$0")
MANPAGE=${MANPAGE:-$here/../../doc/tcpflow.1}

if [ ! -x "$TCPFLOW" ]; then
  echo "SKIP: $TCPFLOW not built"
  exit 77
fi
if [ ! -r "$MANPAGE" ]; then
  echo "FAIL: cannot read $MANPAGE"
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpflow-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The page as plain text: roff font changes removed, \- turned into -.
sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(ha/^/g' -e 's/\\&//g' "$MANPAGE" > "$tmp/man.txt"

in_man() {  # in_man WORD: WORD appears, not as part of a longer option name
  grep -qE -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" "$tmp/man.txt"
}

"$TCPFLOW" --help > "$tmp/help.txt" 2>&1 || fail "--help exited $?"
"$TCPFLOW" -hh > "$tmp/more.txt" 2>&1 || fail "-hh exited $?"
cmp -s "$tmp/help.txt" "$tmp/more.txt" && fail "-hh prints nothing more than -h"

# Options: lines starting with two spaces and a dash; every -x and --long word.
options=$(grep -E '^  -' "$tmp/help.txt" | grep -v '^  -S [a-z]' |
  grep -oE -- '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ ,]*//' | sort -u)
[ -n "$options" ] || fail "no options found in --help output"
count=0
for opt in $options; do
  count=$((count + 1))
  in_man "$opt" || fail "option $opt is not in $MANPAGE"
done
[ "$count" -ge 40 ] || fail "only $count options found in --help output"

# Settings: '-S name=default' lines of -hh; the page must show name=default.
settings=$(grep -oE '^  -S [a-z0-9_-]+=[^ ]*' "$tmp/more.txt" | sed 's/^  -S //')
[ -n "$settings" ] || fail "no settings found in -hh output"
for pair in $settings; do
  grep -qF -- "$pair" "$tmp/man.txt" || fail "setting $pair is not in $MANPAGE"
done

# -F letters: '  -Fx' lines of -hh; the page lists each letter as an item.
# shellcheck disable=SC2013 # one word per letter
for letter in $(grep -oE '^  -F[A-Za-z]' "$tmp/more.txt" | cut -c5); do
  grep -qE -- "^\.B $letter\$" "$tmp/man.txt" || fail "-F letter $letter is not in $MANPAGE"
done

# Template codes: '  %x' lines of -hh (one or two codes per line).
# shellcheck disable=SC2013 # one word per code
for code in $(grep -E '^  %' "$tmp/more.txt" | grep -oE '^  %. ( ?%.)?' | grep -oE '%.'); do
  grep -qF -- "$code" "$tmp/man.txt" || fail "template code $code is not in $MANPAGE"
done

# Exit codes.
out=$("$TCPFLOW" -V 2>&1); rc=$?
[ "$rc" -eq 0 ] || fail "-V exited $rc, expected 0"
echo "$out" | grep -qE '^tcpflow [0-9]+\.[0-9]+' || fail "-V printed '$out'"
out=$("$TCPFLOW" --version 2>&1); rc=$?
[ "$rc" -eq 0 ] || fail "--version exited $rc, expected 0"

for bad in "-Y" "--no-such-option" "-r" "-b lots" "-S no_such_setting=1" "-T %Q" "-c -C" \
    "-z /var/empty"; do
  # shellcheck disable=SC2086 # the words are split on purpose
  "$TCPFLOW" $bad > "$tmp/out" 2> "$tmp/err"; rc=$?
  [ "$rc" -eq 2 ] || fail "'tcpflow $bad' exited $rc, expected 2"
  grep -q -- "tcpflow -h" "$tmp/err" || fail "'tcpflow $bad' gave no hint to -h: $(cat "$tmp/err")"
  [ "$(grep -c '^tcpflow: ' "$tmp/err")" -eq 1 ] || fail "'tcpflow $bad' error is not one line"
  [ -s "$tmp/out" ] && fail "'tcpflow $bad' wrote to stdout"
done
"$TCPFLOW" -S no_such_setting=1 2> "$tmp/err"
grep -q "no_such_setting" "$tmp/err" || fail "unknown setting not named: $(cat "$tmp/err")"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "PASS: $count options and $(echo "$settings" | wc -w) settings documented; exit codes right"
exit 0
