#!/bin/sh
# make check entry for --compress gzip|zstd|bzip2 (tests/compress/run_compress.py):
# every plain-file e2e scenario rerun with each codec, the decompressed
# files compared byte for byte with the plain run's.
. "$(dirname "$0")/../python_test.sh"
run_python_test tests/compress/run_compress.py "$tcpflow"
