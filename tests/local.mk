# Unit tests are listed by each module's local.mk (tests_unit_tests_SOURCES).
