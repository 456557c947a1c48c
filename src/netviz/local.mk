# sources of src/netviz: the one-page picture of a run (-e netviz,
# --netviz-from). The collector, page model and report reader need no
# drawing library; the renderer is built only when configure found cairo.
libtcpflow_a_SOURCES += \
	src/netviz/output_formats.cpp \
	src/netviz/page_model.cpp \
	src/netviz/page_model.h \
	src/netviz/page_renderer.h \
	src/netviz/page_text.cpp \
	src/netviz/png_file.cpp \
	src/netviz/png_file.h \
	src/netviz/report_reader.cpp \
	src/netviz/report_reader.h \
	src/netviz/services.cpp \
	src/netviz/services.h \
	src/netviz/talker_table.cpp \
	src/netviz/talker_table.h \
	src/netviz/time_histogram.cpp \
	src/netviz/time_histogram.h \
	src/netviz/traffic_stats.cpp \
	src/netviz/traffic_stats.h
if HAVE_CAIRO
libtcpflow_a_SOURCES += \
	src/netviz/cairo_api.cpp \
	src/netviz/cairo_api.h \
	src/netviz/cairo_canvas.cpp \
	src/netviz/cairo_canvas.h \
	src/netviz/page_panels.cpp \
	src/netviz/page_panels.h \
	src/netviz/page_renderer.cpp \
	src/netviz/traffic_panel.cpp
else
libtcpflow_a_SOURCES += src/netviz/page_renderer_missing.cpp
endif
EXTRA_DIST += src/netviz/cairo_api.cpp src/netviz/cairo_api.h src/netviz/cairo_canvas.cpp src/netviz/cairo_canvas.h src/netviz/page_panels.cpp \
	src/netviz/page_panels.h src/netviz/page_renderer.cpp src/netviz/traffic_panel.cpp \
	src/netviz/page_renderer_missing.cpp

tests_unit_tests_SOURCES += tests/unit/netviz_test.cpp tests/unit/netviz_report_defaults_test.cpp \
	tests/unit/netviz_png_test.cpp
