# Examples installed under $(docdir)/examples (list new ones here).
examplesdir = $(docdir)/examples
dist_examples_DATA = doc/examples/README \
	doc/examples/tcpflow-capture@.service
