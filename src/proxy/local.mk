# sources of src/proxy: the recording proxy (--proxy), a stream source beside
# src/capture; src/app wires it to the flow recorder.
libtcpflow_a_SOURCES += src/proxy/address.cpp src/proxy/address.h \
	src/proxy/connection.cpp src/proxy/connection.h \
	src/proxy/proxy_observer.h src/proxy/proxy_options.h \
	src/proxy/proxy_server.cpp src/proxy/proxy_server.h \
	src/proxy/relay_buffer.cpp src/proxy/relay_buffer.h \
	src/proxy/printable_filter.cpp src/proxy/printable_filter.h \
	src/proxy/signal_fd.cpp src/proxy/signal_fd.h
tests_unit_tests_SOURCES += tests/unit/proxy_test.cpp tests/unit/proxy_options_test.cpp
