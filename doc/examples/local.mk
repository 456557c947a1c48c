# Examples installed under $(docdir)/examples. List new ones here and in
# the expected file list of tests/pkg/check_install.sh (it checks what make
# install puts where).
examplesdir = $(docdir)/examples
dist_examples_DATA = doc/examples/README \
	doc/examples/tcpflow-capture@.service \
	doc/examples/tcpflow-proxy@.service
