# sources of src/reassembly
libtcpflow_a_SOURCES += \
	src/reassembly/interval_set.cpp \
	src/reassembly/interval_set.h \
	src/reassembly/memory_budget.h \
	src/reassembly/reassembler.cpp \
	src/reassembly/reassembler.h \
	src/reassembly/reassembler_overlap.cpp \
	src/reassembly/stream_sink.h
tests_unit_tests_SOURCES += \
	tests/unit/interval_set_test.cpp \
	tests/unit/reassembler_order_test.cpp \
	tests/unit/reassembler_overlap_test.cpp \
	tests/unit/reassembler_property_test.cpp \
	tests/unit/reassembler_test.cpp \
	tests/unit/reassembly_test_util.h

# Headers (listed so that `make dist` ships them; add new ones here).
noinst_HEADERS += src/reassembly/reassembly_types.h
