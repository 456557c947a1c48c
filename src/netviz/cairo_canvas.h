// A thin drawing vocabulary over a cairo context (text, boxes, lines in
// page points), so the panels read as layout rather than cairo calls.
#pragma once
#include <cairo.h>

#include <string>

#include "netviz/page_model.h"

namespace tcpflow::netviz {

struct Rgb {
  double r, g, b;
};

enum class Align { kLeft, kCenter, kRight };

class Canvas {
 public:
  explicit Canvas(cairo_t* cr) : cr_(cr) {}

  // Draws `text` with its baseline at y; returns its width.
  double text(double x, double y, const std::string& text, double size, Rgb color = {0, 0, 0},
              Align align = Align::kLeft, bool bold = false);
  // Vertical text reading bottom to top, centred on (x, y).
  void vertical_text(double x, double y, const std::string& text, double size, Rgb color);
  double text_width(const std::string& text, double size, bool bold = false);
  // `text` shortened with "..." in the middle until it fits `width`.
  std::string fit(const std::string& text, double size, double width);
  void fill_rect(double x, double y, double w, double h, Rgb color);
  void stroke_rect(double x, double y, double w, double h, Rgb color, double line = 0.5);
  void line(double x0, double y0, double x1, double y1, Rgb color, double width = 0.5,
            bool dashed = false);
  void dot(double x, double y, double radius, Rgb color, double alpha = 1);
  void triangle_down(double x, double y, double size, Rgb color);
  cairo_t* context() { return cr_; }

 private:
  void font(double size, bool bold);
  cairo_t* cr_;
};

// The palette shared by every panel, so a port has one colour on the page.
// (indices as in page_model.h: a port's colour, other, non-TCP, addresses)
Rgb palette(int index);

}  // namespace tcpflow::netviz
