#!/usr/bin/env bash
# Sets tcpflow up from nothing on Debian 12: installs the packages it needs
# (when missing and run as root), generates the build system, configures and
# builds. Usage:
#   ./bootstrap.sh            install what is missing, build, run tcpflow on a bundled capture
#   ./bootstrap.sh check      the same set-up, then the whole test suite (make check)
#   ./bootstrap.sh build      set-up and build only
# Extra arguments after the mode go to ./configure.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-demo}
[ $# -gt 0 ] && shift

packages=(build-essential autoconf automake pkg-config libpcap-dev zlib1g-dev libzstd-dev libbz2-dev liblzma-dev zstd libssl-dev
          libtinyxml2-dev libboost-program-options-dev libgtest-dev python3 python3-dev
          libxml2-utils libcairo2-dev
          poppler-utils python3-yaml socat)  # tests only: netviz reads its page back (pdfinfo, pdftotext); the Kubernetes recipe test parses YAML; the proxy benchmark compares with socat

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
    echo "bootstrap: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
  autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt config.status ] || [ $# -gt 0 ]; then
  ./configure "$@"
fi
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs"

case "$mode" in
  build) ;;
  check)
    make -j"$jobs" check || { cat tests/*.log tests/e2e/*.log 2>/dev/null | tail -n 200; exit 1; }
    ;;
  demo)
    out=demo-output
    rm -rf "$out"
    ./tcpflow -r testdata/http-demo.pcap -o "$out"
    echo "tcpflow wrote these flows into $(pwd)/$out:"
    ls -l "$out"
    ;;
  *) echo "usage: $0 [demo|check|build] [configure args...]" >&2; exit 2 ;;
esac
