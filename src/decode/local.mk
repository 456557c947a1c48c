# sources of src/decode
libtcpflow_a_SOURCES += \
	src/decode/checksum.cpp \
	src/decode/checksum.h \
	src/decode/decoder.cpp \
	src/decode/decoder.h \
	src/decode/ip.cpp \
	src/decode/ip.h \
	src/decode/ip_defrag.cpp \
	src/decode/ip_defrag.h \
	src/decode/ipv6.cpp \
	src/decode/link.cpp \
	src/decode/link.h \
	src/decode/packet.h \
	src/decode/tcp.cpp \
	src/decode/tcp.h \
	src/decode/tunnel.cpp \
	src/decode/tunnel.h \
	src/decode/tunnel_decoders.h \
	src/decode/tunnel_dispatch.cpp \
	src/decode/tunnel_dispatch.h \
	src/decode/tunnel_geneve.cpp \
	src/decode/tunnel_gre.cpp \
	src/decode/tunnel_gtpu.cpp \
	src/decode/tunnel_ipip.cpp \
	src/decode/tunnel_teredo.cpp \
	src/decode/tunnel_vxlan.cpp

tests_unit_tests_SOURCES += \
	tests/unit/decode_test_builders.h \
	tests/unit/decode_link_test.cpp \
	tests/unit/decode_ip_test.cpp \
	tests/unit/decode_ip_defrag_test.cpp \
	tests/unit/decode_tcp_test.cpp \
	tests/unit/checksum_test.cpp \
	tests/unit/decode_decoder_test.cpp \
	tests/unit/decode_tunnel_test.cpp \
	tests/unit/decode_tunnel_decoder_test.cpp

# Headers (listed so that `make dist` ships them; add new ones here).
noinst_HEADERS += src/decode/defrag_limits.h
