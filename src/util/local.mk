tests_unit_tests_SOURCES += tests/unit/util_test.cpp
