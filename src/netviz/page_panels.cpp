// The header, the ranked tables, the connection scatter and the packet sizes.
#include "netviz/page_panels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tcpflow::netviz {

namespace {

constexpr Rgb kInk{0.15, 0.15, 0.15};
constexpr Rgb kAxis{0.45, 0.45, 0.45};
constexpr Rgb kGrid{0.90, 0.90, 0.90};
constexpr Rgb kTalker{0.306, 0.475, 0.655};

std::string percent_text(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", 100 * share);
  return text;
}

// A log axis from 10^lo to 10^hi decades.
struct LogAxis {
  int lo = 0, hi = 1;
  double position(double value, double from, double to) const {
    double v = value > 0 ? std::log10(value) : lo;
    v = std::clamp(v, static_cast<double>(lo), static_cast<double>(hi));
    return from + (to - from) * (v - lo) / (hi - lo);
  }
};

LogAxis log_axis(double smallest_positive, double largest) {
  LogAxis axis;
  axis.lo = static_cast<int>(std::floor(std::log10(smallest_positive)));
  axis.hi = static_cast<int>(std::ceil(std::log10(std::max(largest, smallest_positive))));
  if (axis.hi <= axis.lo) axis.hi = axis.lo + 1;
  return axis;
}

std::string decade_seconds(int exponent) {
  double seconds = std::pow(10.0, exponent);
  if (exponent < -3) return std::to_string(static_cast<long long>(std::llround(seconds * 1e6))) + "us";
  if (exponent < 0) return std::to_string(static_cast<long long>(std::llround(seconds * 1e3))) + "ms";
  return std::to_string(static_cast<long long>(std::llround(seconds))) + "s";
}

std::string decade_bytes(int exponent) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  int unit = std::min(exponent / 3, 6);
  std::string digits = "1";
  digits.append(static_cast<size_t>(exponent - 3 * unit), '0');
  return digits + " " + kUnits[unit];
}

}  // namespace

void draw_header(Canvas& canvas, const PageModel& page, Box box) {
  canvas.text(box.x, box.y + 14, page.title, 16, kInk, Align::kLeft, true);
  double y = box.y + 30;
  for (const std::string& line : page.header_lines) {
    canvas.text(box.x, y, canvas.fit(line, 8, box.w), 8, kInk);
    y += 11.5;
  }
  canvas.line(box.x, box.y + box.h, box.x + box.w, box.y + box.h, kGrid, 0.8);
}

void draw_ranked(Canvas& canvas, const std::string& title, const std::vector<RankedRow>& rows,
                 bool value_is_bytes, Box box) {
  canvas.text(box.x, box.y + 10, canvas.fit(title, 9, box.w), 9, kInk, Align::kLeft, true);
  const double size = 7;
  const double label_x = box.x + 13, label_w = 118;
  const double value_right = box.x + 190;
  const double bar_x = value_right + 6, bar_w = box.w - (bar_x - box.x) - 30;
  canvas.text(value_right, box.y + 21, value_is_bytes ? "bytes" : "connections", 6, kAxis,
              Align::kRight);
  canvas.text(box.x + box.w, box.y + 21, "share", 6, kAxis, Align::kRight);
  if (rows.empty()) {
    canvas.text(label_x, box.y + 34, "none", size, kAxis);
    return;
  }
  double y = box.y + 32;
  for (size_t i = 0; i < rows.size(); ++i, y += 12.5) {
    const RankedRow& row = rows[i];
    canvas.text(label_x - 3, y, std::to_string(i + 1) + ".", size, kAxis, Align::kRight);
    canvas.text(label_x, y, canvas.fit(row.label, size, label_w), size, kInk);
    canvas.text(value_right, y, with_commas(row.value), size, kInk, Align::kRight);
    canvas.fill_rect(bar_x, y - 6, bar_w, 6.5, {0.95, 0.95, 0.95});
    canvas.fill_rect(bar_x, y - 6, std::max(0.5, bar_w * row.share), 6.5, palette(row.color));
    canvas.text(box.x + box.w, y, percent_text(row.share), size, kInk, Align::kRight);
  }
}

void draw_scatter(Canvas& canvas, const PageModel& page, Box box) {
  canvas.text(box.x, box.y + 10, "Connections: duration vs bytes (log-log)", 9, kInk,
              Align::kLeft, true);
  std::string note = "one dot per connection with payload, coloured by server port as in the tables";
  if (page.points.size() < page.connections) {
    note = with_commas(page.points.size()) + " of " + with_commas(page.connections) +
           " connections with payload (uniform sample), coloured by server port";
  }
  canvas.text(box.x, box.y + 19, note, 6, kAxis);
  const double left = box.x + 34, right = box.x + box.w - 4;
  const double top = box.y + 26, bottom = box.y + box.h - 20;
  canvas.stroke_rect(left, top, right - left, bottom - top, kAxis, 0.6);
  if (page.points.empty()) {
    canvas.text((left + right) / 2, (top + bottom) / 2, "no connections", 8, kAxis, Align::kCenter);
    return;
  }
  double min_duration = 1e300, max_duration = 0, max_bytes = 1;
  for (const ConnectionPoint& p : page.points) {
    if (p.duration_sec > 0) min_duration = std::min(min_duration, p.duration_sec);
    max_duration = std::max(max_duration, p.duration_sec);
    max_bytes = std::max(max_bytes, static_cast<double>(p.bytes));
  }
  if (min_duration > max_duration) min_duration = max_duration > 0 ? max_duration : 1e-3;
  LogAxis x_axis = log_axis(min_duration, max_duration);
  LogAxis y_axis = log_axis(1, max_bytes);
  int x_every = (x_axis.hi - x_axis.lo + 5) / 6, y_every = (y_axis.hi - y_axis.lo + 4) / 5;
  for (int e = x_axis.lo; e <= x_axis.hi; e += x_every) {
    double x = x_axis.position(std::pow(10.0, e), left, right);
    canvas.line(x, top, x, bottom, kGrid);
    canvas.text(x, bottom + 8, decade_seconds(e), 6, kAxis, Align::kCenter);
  }
  for (int e = y_axis.lo; e <= y_axis.hi; e += y_every) {
    double y = y_axis.position(std::pow(10.0, e), bottom, top);
    canvas.line(left, y, right, y, kGrid);
    canvas.text(left - 2, y + 2, decade_bytes(e), 6, kAxis, Align::kRight);
  }
  canvas.text((left + right) / 2, bottom + 16, "duration (0 s at the left edge)", 6.5, kAxis,
              Align::kCenter);
  // Grey (other ports) first, so coloured dots stay visible on top.
  for (int pass = 0; pass < 2; ++pass) {
    for (const ConnectionPoint& p : page.points) {
      int color = -1;
      for (const auto& [port, c] : page.port_colors) {
        if (port == p.server_port) color = c;
      }
      if ((color >= 0) != (pass == 1)) continue;
      canvas.dot(x_axis.position(p.duration_sec, left, right),
                 y_axis.position(static_cast<double>(p.bytes), bottom, top), 1.4, palette(color),
                 0.75);
    }
  }
}

void draw_sizes(Canvas& canvas, const PageModel& page, Box box) {
  canvas.text(box.x, box.y + 10, "Packet sizes (bytes on the wire)", 9, kInk, Align::kLeft, true);
  if (!page.sizes_available) {
    canvas.stroke_rect(box.x, box.y + 20, box.w, box.h - 24, kGrid);
    canvas.text(box.x + box.w / 2, box.y + box.h / 2, "not available: report.xml has no packet sizes",
                7.5, kAxis, Align::kCenter);
    return;
  }
  uint64_t total = 0, peak = 0;
  for (uint64_t count : page.sizes) {
    total += count;
    peak = std::max(peak, count);
  }
  const double label_right = box.x + 48, bar_x = box.x + 52;
  const double bar_w = box.w - 52 - 72;
  double y = box.y + 28;
  const double row = (box.h - 32) / static_cast<double>(kSizeBins);
  for (size_t i = 0; i < kSizeBins; ++i, y += row) {
    canvas.text(label_right, y + 3, page.size_labels[i], 6.5, kAxis, Align::kRight);
    double w = peak ? bar_w * static_cast<double>(page.sizes[i]) / static_cast<double>(peak) : 0;
    canvas.fill_rect(bar_x, y - 4, std::max(page.sizes[i] ? 0.5 : 0.0, w), row * 0.7, kTalker);
    char share[16];
    std::snprintf(share, sizeof share, " (%.1f%%)",
                  total ? 100.0 * static_cast<double>(page.sizes[i]) / static_cast<double>(total) : 0.0);
    canvas.text(bar_x + bar_w + 3, y + 3, with_commas(page.sizes[i]) + share, 6.5, kInk);
  }
}

}  // namespace tcpflow::netviz
