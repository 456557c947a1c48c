// Forwarders for the cairo functions that the netviz renderer uses; the
// compiler checks each signature against cairo's headers. A function added
// to the renderer needs one here, or the link fails naming it.
#include "netviz/cairo_api.h"

#include "tcpflow_config.h"  // TCPFLOW_*_SONAME

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include "util/error.h"
#include "util/lazy_library.h"

namespace tcpflow::netviz::cairo_api {

namespace {

LazyLibrary& libcairo() {
  static LazyLibrary library(TCPFLOW_CAIRO_SONAME, "the netviz page (-e netviz)");
  return library;
}

}  // namespace

bool load(std::string* why) {
  try {
    libcairo().symbol("cairo_version");
    return true;
  } catch (const Error& error) {
    if (why) *why = error.what();
    return false;
  }
}

}  // namespace tcpflow::netviz::cairo_api

#define TCPFLOW_CAIRO_REAL(name) TCPFLOW_LAZY_REAL(tcpflow::netviz::cairo_api::libcairo(), name)

extern "C" {

void cairo_arc(cairo_t* cr, double xc, double yc, double radius, double angle1, double angle2) {
  TCPFLOW_CAIRO_REAL(cairo_arc);
  real(cr, xc, yc, radius, angle1, angle2);
}
void cairo_close_path(cairo_t* cr) {
  TCPFLOW_CAIRO_REAL(cairo_close_path);
  real(cr);
}
cairo_t* cairo_create(cairo_surface_t* target) {
  TCPFLOW_CAIRO_REAL(cairo_create);
  return real(target);
}
void cairo_destroy(cairo_t* cr) {
  TCPFLOW_CAIRO_REAL(cairo_destroy);
  real(cr);
}
void cairo_fill(cairo_t* cr) {
  TCPFLOW_CAIRO_REAL(cairo_fill);
  real(cr);
}
cairo_surface_t* cairo_image_surface_create(cairo_format_t format, int width, int height) {
  TCPFLOW_CAIRO_REAL(cairo_image_surface_create);
  return real(format, width, height);
}
unsigned char* cairo_image_surface_get_data(cairo_surface_t* surface) {
  TCPFLOW_CAIRO_REAL(cairo_image_surface_get_data);
  return real(surface);
}
int cairo_image_surface_get_height(cairo_surface_t* surface) {
  TCPFLOW_CAIRO_REAL(cairo_image_surface_get_height);
  return real(surface);
}
int cairo_image_surface_get_stride(cairo_surface_t* surface) {
  TCPFLOW_CAIRO_REAL(cairo_image_surface_get_stride);
  return real(surface);
}
int cairo_image_surface_get_width(cairo_surface_t* surface) {
  TCPFLOW_CAIRO_REAL(cairo_image_surface_get_width);
  return real(surface);
}
void cairo_line_to(cairo_t* cr, double x, double y) {
  TCPFLOW_CAIRO_REAL(cairo_line_to);
  real(cr, x, y);
}
void cairo_move_to(cairo_t* cr, double x, double y) {
  TCPFLOW_CAIRO_REAL(cairo_move_to);
  real(cr, x, y);
}
cairo_surface_t* cairo_pdf_surface_create(const char* filename, double width_in_points, double height_in_points) {
  TCPFLOW_CAIRO_REAL(cairo_pdf_surface_create);
  return real(filename, width_in_points, height_in_points);
}
void cairo_pdf_surface_set_metadata(cairo_surface_t* surface, cairo_pdf_metadata_t metadata, const char* utf8) {
  TCPFLOW_CAIRO_REAL(cairo_pdf_surface_set_metadata);
  real(surface, metadata, utf8);
}
void cairo_rectangle(cairo_t* cr, double x, double y, double width, double height) {
  TCPFLOW_CAIRO_REAL(cairo_rectangle);
  real(cr, x, y, width, height);
}
void cairo_restore(cairo_t* cr) {
  TCPFLOW_CAIRO_REAL(cairo_restore);
  real(cr);
}
void cairo_rotate(cairo_t* cr, double angle) {
  TCPFLOW_CAIRO_REAL(cairo_rotate);
  real(cr, angle);
}
void cairo_save(cairo_t* cr) {
  TCPFLOW_CAIRO_REAL(cairo_save);
  real(cr);
}
void cairo_scale(cairo_t* cr, double sx, double sy) {
  TCPFLOW_CAIRO_REAL(cairo_scale);
  real(cr, sx, sy);
}
void cairo_select_font_face(cairo_t* cr, const char* family, cairo_font_slant_t slant, cairo_font_weight_t weight) {
  TCPFLOW_CAIRO_REAL(cairo_select_font_face);
  real(cr, family, slant, weight);
}
void cairo_set_dash(cairo_t* cr, const double* dashes, int num_dashes, double offset) {
  TCPFLOW_CAIRO_REAL(cairo_set_dash);
  real(cr, dashes, num_dashes, offset);
}
void cairo_set_font_size(cairo_t* cr, double size) {
  TCPFLOW_CAIRO_REAL(cairo_set_font_size);
  real(cr, size);
}
void cairo_set_line_width(cairo_t* cr, double width) {
  TCPFLOW_CAIRO_REAL(cairo_set_line_width);
  real(cr, width);
}
void cairo_set_source_rgb(cairo_t* cr, double red, double green, double blue) {
  TCPFLOW_CAIRO_REAL(cairo_set_source_rgb);
  real(cr, red, green, blue);
}
void cairo_set_source_rgba(cairo_t* cr, double red, double green, double blue, double alpha) {
  TCPFLOW_CAIRO_REAL(cairo_set_source_rgba);
  real(cr, red, green, blue, alpha);
}
void cairo_show_page(cairo_t* cr) {
  TCPFLOW_CAIRO_REAL(cairo_show_page);
  real(cr);
}
void cairo_show_text(cairo_t* cr, const char* utf8) {
  TCPFLOW_CAIRO_REAL(cairo_show_text);
  real(cr, utf8);
}
cairo_status_t cairo_status(cairo_t* cr) {
  TCPFLOW_CAIRO_REAL(cairo_status);
  return real(cr);
}
const char* cairo_status_to_string(cairo_status_t status) {
  TCPFLOW_CAIRO_REAL(cairo_status_to_string);
  return real(status);
}
void cairo_stroke(cairo_t* cr) {
  TCPFLOW_CAIRO_REAL(cairo_stroke);
  real(cr);
}
void cairo_surface_destroy(cairo_surface_t* surface) {
  TCPFLOW_CAIRO_REAL(cairo_surface_destroy);
  real(surface);
}
void cairo_surface_finish(cairo_surface_t* surface) {
  TCPFLOW_CAIRO_REAL(cairo_surface_finish);
  real(surface);
}
void cairo_surface_flush(cairo_surface_t* surface) {
  TCPFLOW_CAIRO_REAL(cairo_surface_flush);
  real(surface);
}
cairo_status_t cairo_surface_status(cairo_surface_t* surface) {
  TCPFLOW_CAIRO_REAL(cairo_surface_status);
  return real(surface);
}
cairo_surface_t* cairo_svg_surface_create(const char* filename, double width_in_points, double height_in_points) {
  TCPFLOW_CAIRO_REAL(cairo_svg_surface_create);
  return real(filename, width_in_points, height_in_points);
}
void cairo_text_extents(cairo_t* cr, const char* utf8, cairo_text_extents_t* extents) {
  TCPFLOW_CAIRO_REAL(cairo_text_extents);
  real(cr, utf8, extents);
}
void cairo_translate(cairo_t* cr, double tx, double ty) {
  TCPFLOW_CAIRO_REAL(cairo_translate);
  real(cr, tx, ty);
}

}  // extern "C"
