#!/bin/sh
# Installs a tcpflow2 .deb with dpkg -i and purges it again, in a throwaway
# copy of this system (an overlay of / in a private mount namespace, so the
# machine itself, and a tcpflow 1.6.1 installed on it, are left alone).
# Checks: dpkg -i succeeds (removing tcpflow 1.6.1 when present:
# Conflicts/Replaces), /usr/bin/tcpflow is ours, `import tcpflow_report`
# works with no PYTHONPATH, bash-completion loads the completion on demand,
# dpkg --purge succeeds and leaves none of the package's files.
# Root only; exit 77 (skipped) when overlay mounts are not possible here.
# Usage: check_deb_install.sh PACKAGE.deb
deb=$1
[ -f "$deb" ] || { echo "usage: $0 PACKAGE.deb" >&2; exit 2; }
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1; then
  echo "SKIP: needs root and unshare to install into a throwaway overlay"
  exit 77
fi
base=$(mktemp -d "${TMPDIR:-/var/tmp}/tcpflow-debinst.XXXXXX") || exit 1
trap 'rm -rf "$base"' EXIT INT TERM
mkdir "$base/up" "$base/work" "$base/root"
cp "$deb" "$base/up/package.deb"

unshare -m sh -s "$base" <<'EOF'
base=$1
root=$base/root
if ! mount -t overlay overlay -o "lowerdir=/,upperdir=$base/up,workdir=$base/work" "$root" 2>/dev/null; then
  echo "SKIP: cannot mount an overlay of / here"
  exit 77
fi
for d in proc sys dev; do mount --rbind "/$d" "$root/$d"; done
mount -t tmpfs tmpfs "$root/tmp"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

old=$(in_root dpkg-query -W -f='${Version}' tcpflow 2>/dev/null)
[ -n "$old" ] && echo "note: tcpflow $old is installed; tcpflow2 must replace it"
if in_root dpkg -i /package.deb >"$base/install.log" 2>&1; then
  echo "ok: dpkg -i tcpflow2"
else
  cat "$base/install.log"; fail "dpkg -i"
fi
in_root dpkg -L tcpflow2 > "$base/files" 2>/dev/null
v=$(in_root tcpflow -V 2>&1 | head -n 1)
case $v in *2.0*|*" 2."*) echo "ok: /usr/bin/tcpflow -V: $v" ;; *) fail "/usr/bin/tcpflow -V printed: $v" ;; esac
if [ -n "$old" ]; then
  st=$(in_root dpkg-query -W -f='${Status}' tcpflow 2>/dev/null)
  case $st in *"not-installed"*|*"config-files"*|"") echo "ok: tcpflow $old removed ($st)" ;;
    *) fail "tcpflow 1.6.1 still installed: $st" ;; esac
fi
got=$(in_root python3 -c 'import tcpflow_report; print(tcpflow_report.__file__)' 2>&1)
[ "$got" = /usr/lib/python3/dist-packages/tcpflow_report.py ] &&
  echo "ok: python3 -c 'import tcpflow_report' (no PYTHONPATH): $got" ||
  fail "import tcpflow_report after dpkg -i: $got"
if [ -f "$root/usr/share/bash-completion/bash_completion" ]; then
  spec=$(in_root bash --norc -c '. /usr/share/bash-completion/bash_completion; __load_completion tcpflow; complete -p tcpflow' 2>&1)
  [ "$spec" = "complete -F _tcpflow tcpflow" ] &&
    echo "ok: bash-completion loads it on demand: $spec" || fail "bash-completion on demand: $spec"
else
  echo "note: bash-completion not installed; on-demand loading not checked"
fi
if in_root dpkg --purge tcpflow2 >"$base/purge.log" 2>&1; then
  echo "ok: dpkg --purge tcpflow2"
else
  cat "$base/purge.log"; fail "dpkg --purge"
fi
left=""
while IFS= read -r f; do
  [ -f "$root$f" ] || [ -L "$root$f" ] && left="$left $f"
done < "$base/files"
[ -z "$left" ] && echo "ok: purge left none of the package's $(wc -l < "$base/files") paths' files" ||
  fail "left after purge:$left"
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
EOF
