// cairo, loaded when a netviz page is drawn rather than at start-up (see
// util/lazy_library.h). cairo_api.cpp defines the cairo functions the
// renderer calls; each finds the real one on its first call.
#pragma once
#include <string>

namespace tcpflow::netviz::cairo_api {

// Loads cairo if it is not loaded yet; false when it cannot be loaded
// (the message then goes to `why`, when given).
bool load(std::string* why = nullptr);

}  // namespace tcpflow::netviz::cairo_api
