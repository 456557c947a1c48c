#!/bin/sh
# Builds the libFuzzer targets with clang (called by `make fuzz`; usable alone).
#   build.sh SRCDIR BUILDDIR "LIBTCPFLOW SOURCES" "EXTRA LIBS"
# Compiles the library sources (minus src/app and src/report) once with -fsanitize=fuzzer-no-link,address,undefined
# into BUILDDIR/tests/fuzz/obj/ (rebuilding only what changed), archives them,
# and links tests/fuzz/fuzz_<name> for each tests/fuzz/fuzz_*.cpp.
# FUZZ_CXX (default clang++) and FUZZ_JOBS (default 2) override; FUZZ_DEP_CFLAGS adds
# include flags.
set -eu
srcdir=$1
builddir=$2
sources=$3
libs=$4
cxx=${FUZZ_CXX:-clang++}
jobs=${FUZZ_JOBS:-2}
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz: $cxx not found (install clang and libclang-rt-14-dev, or set FUZZ_CXX)" >&2
  exit 1
fi
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"
# FUZZ_DEP_CFLAGS: the libraries' include flags from configure (cairo's
# headers are not on the default path).
flags="-std=c++17 $san -I$srcdir/src -I$srcdir -I$builddir ${FUZZ_DEP_CFLAGS:-}"
obj=$builddir/tests/fuzz/obj
mkdir -p "$obj"
export cxx flags obj srcdir
# One object per source, named after its path; rebuilt when the source or any
# header under src/ or scanners/ is newer (cheap and safe).
newest_header=$(find "$srcdir/src" "$srcdir/scanners" -name '*.h' -newer "$obj/.stamp" 2>/dev/null | head -n 1 || true)
[ -f "$obj/.stamp" ] || newest_header=yes
[ -n "$newest_header" ] && rm -f "$obj"/*.o
for s in $sources; do
  case $s in
    src/app/*|src/report/*) ;;   # not used by the targets (and app/ needs Boost)
    *.cpp) echo "$s" ;;
  esac
done | xargs -P "$jobs" -I{} sh -c '
  o="$obj/$(echo "{}" | tr / _ | sed "s/\.cpp$/.o/")"
  if [ ! -f "$o" ] || [ "$srcdir/{}" -nt "$o" ]; then
    echo "  FUZZCXX  {}"
    $cxx $flags -fsanitize=fuzzer-no-link -c "$srcdir/{}" -o "$o"
  fi'
touch "$obj/.stamp"
rm -f "$obj/libfuzztcpflow.a"
ar cr "$obj/libfuzztcpflow.a" "$obj"/*.o
for t in "$srcdir"/tests/fuzz/fuzz_*.cpp; do
  name=$(basename "$t" .cpp)
  echo "  FUZZLD   tests/fuzz/$name"
  # shellcheck disable=SC2086
  $cxx $flags -fsanitize=fuzzer "$t" "$obj/libfuzztcpflow.a" $libs -o "$builddir/tests/fuzz/$name"
done
