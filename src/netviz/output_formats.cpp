#include "netviz/page_renderer.h"
#include "util/error.h"

namespace tcpflow::netviz {

OutputFormats parse_formats(std::string_view list) {
  OutputFormats formats{false, false, false};
  bool any = false;
  while (true) {
    size_t comma = list.find(',');
    std::string_view word = list.substr(0, comma);
    if (word == "pdf") {
      formats.pdf = true;
    } else if (word == "png") {
      formats.png = true;
    } else if (word == "svg") {
      formats.svg = true;
    } else {
      throw UsageError("-S netviz_formats: '" + std::string(word) +
                       "' is not one of pdf, png, svg (give a comma-separated list)");
    }
    any = true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (!any) throw UsageError("-S netviz_formats: name at least one of pdf, png, svg");
  return formats;
}

}  // namespace tcpflow::netviz
