#!/bin/sh
# dist-hook: fails `make dist` (and so `make distcheck`) when a file tracked
# by git is missing from the tarball, naming each one and where to list it.
# Outside a git checkout (building from a tarball) there is nothing to
# compare with and it passes. Usage: check_dist.sh SRCDIR DISTDIR
srcdir=$1
distdir=$2
top=$(git -C "$srcdir" rev-parse --show-toplevel 2>/dev/null)
if [ -z "$top" ] || [ "$(cd "$top" && pwd -P)" != "$(cd "$srcdir" && pwd -P)" ]; then
  # e.g. distcheck's unpacked tarball inside a checkout
  echo "check_dist: $srcdir is not the top of a git checkout; tarball contents not compared"
  exit 0
fi
# Tracked files that are deliberately not shipped: CI scaffolding and stale
# autoconf leftovers.
missing=$(git -C "$srcdir" ls-files | while IFS= read -r f; do
  case $f in
    .ci/*|.gitignore|*/.gitkeep|config.h.in|config.h.in~) continue ;;
  esac
  [ -e "$distdir/$f" ] || printf '  %s\n' "$f"
done)
if [ -n "$missing" ]; then
  echo "check_dist: these files are in git but not in the tarball:" >&2
  echo "$missing" >&2
  echo "check_dist: list each in the local.mk of its directory (sources and headers in" >&2
  echo "check_dist: the _SOURCES/noinst_HEADERS lines, everything else in EXTRA_DIST)." >&2
  exit 1
fi
echo "check_dist: every tracked file is in the tarball"
