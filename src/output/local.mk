# sources of src/output
libtcpflow_a_SOURCES += src/output/background_writer.cpp src/output/background_writer_create.cpp \
	src/output/background_writer_reads.cpp src/output/buffer_pool.cpp src/output/fd_cache.cpp src/output/flow_file_sink.cpp \
	src/output/direct_file_writer.cpp src/output/background_file_writer.cpp \
	src/output/name_counter.cpp src/output/file_io.cpp
tests_unit_tests_SOURCES += tests/unit/output_test.cpp tests/unit/flow_file_sink_test.cpp \
	tests/unit/buffer_pool_test.cpp
libtcpflow_a_SOURCES += src/output/console_sink.cpp src/output/file_namer.cpp
libtcpflow_a_SOURCES += src/output/filename_template.cpp
tests_unit_tests_SOURCES += tests/unit/filename_template_test.cpp
tests_unit_tests_SOURCES += tests/unit/tunnel_naming_test.cpp

# Headers (listed so that `make dist` ships them; add new ones here).
noinst_HEADERS += src/output/background_writer.h \
	src/output/buffer_pool.h \
	src/output/console_sink.h \
	src/output/fd_cache.h \
	src/output/file_io.h \
	src/output/file_namer.h \
	src/output/filename_template.h \
	src/output/flow_file_sink.h \
	src/output/name_counter.h
noinst_HEADERS += src/output/background_file_writer.h \
	src/output/cached_output_file.h \
	src/output/console_options.h \
	src/output/direct_file_writer.h \
	src/output/discard_sink.h \
	src/output/file_writer.h \
	src/output/write_buffers.h \
	tests/unit/output_test_util.h \
	tests/unit/compressed_test_util.h
# --compress: flow files compressed once complete (issue 15.2)
libtcpflow_a_SOURCES += src/output/file_compressor.h src/output/file_compressor.cpp \
	src/output/streamed_compression.h src/output/streamed_compression.cpp \
	src/output/directory_locks.h
tests_unit_tests_SOURCES += tests/unit/output_file_compressor_test.cpp \
	tests/unit/output_streamed_compression_test.cpp
