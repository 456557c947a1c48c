#include "netviz/cairo_canvas.h"

namespace tcpflow::netviz {

Rgb palette(int index) {
  // Tableau 10 without its red, which marks gaps and conflicts.
  static constexpr Rgb kColors[] = {
      {0.306, 0.475, 0.655}, {0.949, 0.557, 0.169}, {0.463, 0.718, 0.698},
      {0.349, 0.631, 0.310}, {0.929, 0.788, 0.282}, {0.690, 0.478, 0.631},
      {1.000, 0.616, 0.655}, {0.612, 0.459, 0.373}, {0.200, 0.200, 0.500},
      {0.600, 0.800, 0.300}};
  if (index == kNonTcpColor) return {0.85, 0.85, 0.85};
  if (index == kAddressColor) return {0.30, 0.45, 0.62};
  if (index < 0 || index >= 10) return {0.62, 0.62, 0.62};
  return kColors[index];
}

void Canvas::font(double size, bool bold) {
  cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
}

double Canvas::text_width(const std::string& text, double size, bool bold) {
  font(size, bold);
  cairo_text_extents_t extents;
  cairo_text_extents(cr_, text.c_str(), &extents);
  return extents.x_advance;
}

double Canvas::text(double x, double y, const std::string& text, double size, Rgb color,
                    Align align, bool bold) {
  double width = text_width(text, size, bold);
  if (align == Align::kCenter) x -= width / 2;
  if (align == Align::kRight) x -= width;
  cairo_set_source_rgb(cr_, color.r, color.g, color.b);
  cairo_move_to(cr_, x, y);
  cairo_show_text(cr_, text.c_str());
  return width;
}

void Canvas::vertical_text(double x, double y, const std::string& text, double size, Rgb color) {
  double width = text_width(text, size);
  cairo_save(cr_);
  cairo_translate(cr_, x, y);
  cairo_rotate(cr_, -1.5707963267948966);
  cairo_set_source_rgb(cr_, color.r, color.g, color.b);
  cairo_move_to(cr_, -width / 2, 0);
  cairo_show_text(cr_, text.c_str());
  cairo_restore(cr_);
}

std::string Canvas::fit(const std::string& text, double size, double width) {
  if (text_width(text, size) <= width) return text;
  // Addresses and file names differ at both ends: keep the ends.
  std::string shorter = text;
  while (shorter.size() > 4) {
    size_t middle = shorter.size() / 2;
    shorter.erase(middle - 1, 2);
    std::string candidate = shorter.substr(0, shorter.size() / 2) + "..." +
                            shorter.substr(shorter.size() / 2);
    if (text_width(candidate, size) <= width) return candidate;
  }
  return shorter;
}

void Canvas::fill_rect(double x, double y, double w, double h, Rgb color) {
  cairo_set_source_rgb(cr_, color.r, color.g, color.b);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_fill(cr_);
}

void Canvas::stroke_rect(double x, double y, double w, double h, Rgb color, double line) {
  cairo_set_source_rgb(cr_, color.r, color.g, color.b);
  cairo_set_line_width(cr_, line);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_stroke(cr_);
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb color, double width,
                  bool dashed) {
  cairo_save(cr_);
  cairo_set_source_rgb(cr_, color.r, color.g, color.b);
  cairo_set_line_width(cr_, width);
  if (dashed) {
    const double pattern[] = {2.0, 2.0};
    cairo_set_dash(cr_, pattern, 2, 0);
  }
  cairo_move_to(cr_, x0, y0);
  cairo_line_to(cr_, x1, y1);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

void Canvas::dot(double x, double y, double radius, Rgb color, double alpha) {
  cairo_set_source_rgba(cr_, color.r, color.g, color.b, alpha);
  cairo_arc(cr_, x, y, radius, 0, 6.283185307179586);
  cairo_fill(cr_);
}

void Canvas::triangle_down(double x, double y, double size, Rgb color) {
  cairo_set_source_rgb(cr_, color.r, color.g, color.b);
  cairo_move_to(cr_, x - size / 2, y);
  cairo_line_to(cr_, x + size / 2, y);
  cairo_line_to(cr_, x, y + size);
  cairo_close_path(cr_);
  cairo_fill(cr_);
}

}  // namespace tcpflow::netviz
