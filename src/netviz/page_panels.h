// The panels of the netviz page, each drawn inside the box it is given.
#pragma once
#include <string>
#include <vector>

#include "netviz/cairo_canvas.h"
#include "netviz/page_model.h"

namespace tcpflow::netviz {

struct Box {
  double x, y, w, h;
};

void draw_header(Canvas& canvas, const PageModel& page, Box box);
void draw_traffic(Canvas& canvas, const PageModel& page, Box box);
void draw_ranked(Canvas& canvas, const std::string& title, const std::vector<RankedRow>& rows,
                 bool value_is_bytes, Box box);
void draw_scatter(Canvas& canvas, const PageModel& page, Box box);
void draw_sizes(Canvas& canvas, const PageModel& page, Box box);

// The smallest of 1, 2, 5 x 10^k that is >= value (> 0).
double nice_step(double value);

}  // namespace tcpflow::netviz
