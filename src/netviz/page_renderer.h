// Writes the netviz page (report.pdf / report.png / report.svg) from a
// PageModel. Built with cairo; without it, a stand-in says so.
#pragma once
#include <string>
#include <string_view>

#include "netviz/page_model.h"

namespace tcpflow::netviz {

struct OutputFormats {
  bool pdf = true;
  bool png = true;
  bool svg = false;
};

// "pdf,png,svg" in any order and combination; throws UsageError otherwise.
OutputFormats parse_formats(std::string_view list);

// Why no page can be drawn: this tcpflow was built without cairo, or
// cairo's library cannot be loaded. "" when a page can be drawn.
std::string renderer_unavailable();
inline bool renderer_available() { return renderer_unavailable().empty(); }

// The page is A4 portrait (595 x 842 points); the PNG is drawn at this
// scale (144 dpi): 1190 x 1684 pixels.
constexpr double kPageWidth = 595, kPageHeight = 842, kPngScale = 2;

// Draws `page` into DIR/report.<format> for each chosen format. Returns ""
// or what went wrong (every format is still attempted).
std::string render_page(const PageModel& page, const std::string& dir, const OutputFormats& formats);

}  // namespace tcpflow::netviz
