// Built instead of the cairo renderer when configure did not find cairo.
#include "netviz/page_renderer.h"

namespace tcpflow::netviz {

bool renderer_available() { return false; }

std::string render_page(const PageModel&, const std::string&, const OutputFormats&) {
  return "this tcpflow was built without cairo";
}

}  // namespace tcpflow::netviz
