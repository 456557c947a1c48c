libscanners_a_SOURCES += scanners/scan_md5.cpp scanners/registry.cpp
tests_unit_tests_SOURCES += tests/unit/scanners_test.cpp
