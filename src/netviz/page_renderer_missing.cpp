// Built instead of the cairo renderer when configure did not find cairo.
#include "netviz/page_renderer.h"

namespace tcpflow::netviz {

std::string renderer_unavailable() {
  return "this tcpflow was built without cairo: install the Debian package libcairo2-dev "
         "(apt-get install libcairo2-dev), then configure and build again";
}

std::string render_page(const PageModel&, const std::string&, const OutputFormats&) {
  return "this tcpflow was built without cairo";
}

}  // namespace tcpflow::netviz
