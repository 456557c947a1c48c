# --compress (issue 15.2): every plain-file e2e scenario rerun with each codec.
TESTS += tests/compress/run.sh
EXTRA_DIST += tests/compress/run.sh tests/compress/run_compress.py
