#include "netviz/page_renderer.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <memory>

#include "netviz/cairo_api.h"
#include "netviz/page_panels.h"
#include "netviz/png_file.h"

namespace tcpflow::netviz {

namespace {

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using Context = std::unique_ptr<cairo_t, ContextDeleter>;

void draw_page(cairo_t* cr, const PageModel& page) {
  Canvas canvas(cr);
  canvas.fill_rect(0, 0, kPageWidth, kPageHeight, {1, 1, 1});
  constexpr double kMargin = 28, kGutter = 22;
  const double width = kPageWidth - 2 * kMargin;
  const double half = (width - kGutter) / 2;
  draw_header(canvas, page, {kMargin, 22, width, 92});
  draw_traffic(canvas, page, {kMargin, 118, width, 218});
  // Short tables take only the rows they need; the scatter and the sizes
  // below get the rest of the page.
  auto table_height = [](size_t a, size_t b) {
    return 36 + 12.5 * static_cast<double>(std::max<size_t>(1, std::max(a, b)));
  };
  // Past 8,192 addresses the table forgot the smallest: counts may be low.
  const std::string approximate = page.talkers_approximate ? ", may be low" : "";
  double y = 346;
  double height = table_height(page.top_senders.size(), page.top_receivers.size());
  draw_ranked(canvas, "Top sources (" + page.bytes_unit_note + " sent" + approximate + ")",
              page.top_senders, true, {kMargin, y, half, height});
  draw_ranked(canvas, "Top destinations (" + page.bytes_unit_note + " received" + approximate + ")",
              page.top_receivers, true, {kMargin + half + kGutter, y, half, height});
  y += height + 6;
  height = table_height(page.ports_by_bytes.size(), page.ports_by_connections.size());
  draw_ranked(canvas, "Top server ports by " + page.bytes_unit_note, page.ports_by_bytes, true,
              {kMargin, y, half, height});
  draw_ranked(canvas, "Top server ports by connections", page.ports_by_connections, false,
              {kMargin + half + kGutter, y, half, height});
  const double bottom_y = y + height + 6;
  const double bottom_h = kPageHeight - 14 - bottom_y;
  draw_scatter(canvas, page, {kMargin, bottom_y, half, std::min(bottom_h, 260.0)});
  draw_sizes(canvas, page, {kMargin + half + kGutter, bottom_y, half, std::min(bottom_h, 170.0)});
}

// Draws the page on `surface`, finishes it and reports a cairo failure.
std::string finish(cairo_surface_t* surface, const PageModel& page, const std::string& path,
                   bool as_png) {
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    return path + ": " + cairo_status_to_string(cairo_surface_status(surface));
  }
  {
    Context cr(cairo_create(surface));
    if (as_png) cairo_scale(cr.get(), kPngScale, kPngScale);
    draw_page(cr.get(), page);
    cairo_show_page(cr.get());
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
      return path + ": " + cairo_status_to_string(cairo_status(cr.get()));
    }
  }
  cairo_status_t status = CAIRO_STATUS_SUCCESS;
  if (as_png) {
    cairo_surface_flush(surface);
    return write_png(path, cairo_image_surface_get_data(surface), cairo_image_surface_get_width(surface),
                     cairo_image_surface_get_height(surface), cairo_image_surface_get_stride(surface));
  } else {
    cairo_surface_finish(surface);
    status = cairo_surface_status(surface);
  }
  if (status != CAIRO_STATUS_SUCCESS) return path + ": " + cairo_status_to_string(status);
  return {};
}

void note(std::string& errors, const std::string& error) {
  if (error.empty()) return;
  if (!errors.empty()) errors += "; ";
  errors += error;
}

}  // namespace

std::string renderer_unavailable() {
  std::string why;
  return cairo_api::load(&why) ? std::string() : why + " (install the Debian package libcairo2)";
}

std::string render_page(const PageModel& page, const std::string& dir, const OutputFormats& formats) {
  std::string errors = renderer_unavailable();
  if (!errors.empty()) return errors;
  const std::string base = (dir.empty() ? std::string(".") : dir) + "/report.";
  if (formats.pdf) {
    std::string path = base + "pdf";
    Surface surface(cairo_pdf_surface_create(path.c_str(), kPageWidth, kPageHeight));
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, "tcpflow netviz");
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "tcpflow");
    note(errors, finish(surface.get(), page, path, false));
  }
  if (formats.svg) {
    std::string path = base + "svg";
    Surface surface(cairo_svg_surface_create(path.c_str(), kPageWidth, kPageHeight));
    note(errors, finish(surface.get(), page, path, false));
  }
  if (formats.png) {
    std::string path = base + "png";
    Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                               static_cast<int>(kPageWidth * kPngScale),
                                               static_cast<int>(kPageHeight * kPngScale)));
    note(errors, finish(surface.get(), page, path, true));
  }
  return errors;
}

}  // namespace tcpflow::netviz
