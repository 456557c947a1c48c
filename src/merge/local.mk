# sources of src/merge: tcpflow --merge-reports (joins a sharded run's reports).
libtcpflow_a_SOURCES += \
	src/merge/jsonl_merger.cpp \
	src/merge/jsonl_merger.h \
	src/merge/report_blocks.cpp \
	src/merge/report_blocks.h \
	src/merge/report_merger.cpp \
	src/merge/report_merger.h \
	src/merge/shard_files.cpp \
	src/merge/shard_files.h \
	src/merge/summary_combiner.cpp \
	src/merge/summary_combiner.h

tests_unit_tests_SOURCES += tests/unit/merge_test.cpp
