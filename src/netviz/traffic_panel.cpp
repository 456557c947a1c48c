// The traffic-over-time panel: stacked bytes per bucket by server port, the
// retransmitted bytes as a line and gaps/conflicts as markers.
#include <algorithm>
#include <cmath>

#include "netviz/page_panels.h"

namespace tcpflow::netviz {

namespace {

constexpr Rgb kInk{0.15, 0.15, 0.15};
constexpr Rgb kAxis{0.45, 0.45, 0.45};
constexpr Rgb kGrid{0.90, 0.90, 0.90};
constexpr Rgb kRetransmitted{0.45, 0.0, 0.0};
constexpr Rgb kBroken{0.85, 0.10, 0.15};

struct TimeUnit {
  double ns;
  const char* name;
};

TimeUnit unit_for(double span_ns) {
  if (span_ns < 2e6) return {1e3, "us"};
  if (span_ns < 2e9) return {1e6, "ms"};
  if (span_ns < 300e9) return {1e9, "s"};
  if (span_ns < 18000e9) return {60e9, "min"};
  if (span_ns < 432000e9) return {3600e9, "h"};
  return {86400e9, "d"};
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// Swatch, label; wraps to a new row when the line is full. Returns the new x.
double legend_item(Canvas& canvas, double x, double& y, const Box& box, Rgb color,
                   const std::string& label, bool as_line) {
  double width = 12 + canvas.text_width(label, 7) + 10;
  if (x + width > box.x + box.w && x > box.x) {
    x = box.x;
    y += 10;
  }
  if (as_line) {
    canvas.line(x, y - 2.5, x + 9, y - 2.5, color, 1.2);
  } else {
    canvas.fill_rect(x, y - 6, 9, 6, color);
  }
  canvas.text(x + 12, y, label, 7, kInk);
  return x + width;
}

}  // namespace

double nice_step(double value) {
  if (!(value > 0)) return 1;
  double power = std::pow(10.0, std::floor(std::log10(value)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= value * (1 - 1e-9)) return m * power;
  }
  return 10 * power;
}

void draw_traffic(Canvas& canvas, const PageModel& page, Box box) {
  const TrafficPanel& t = page.traffic;
  std::string title = "Traffic over time";
  if (!t.empty) title += " (" + page.bytes_unit_note + " per " + width_text(t.bucket_ns) + ")";
  canvas.text(box.x, box.y + 10, title, 10, kInk, Align::kLeft, true);
  const double left = box.x + 50, right = box.x + box.w - 4;
  const double top = box.y + 24, bottom = box.y + box.h - 58;
  if (t.empty) {
    canvas.stroke_rect(left, top, right - left, bottom - top, kGrid);
    canvas.text((left + right) / 2, (top + bottom) / 2, "no packets", 9, kAxis, Align::kCenter);
    return;
  }
  const size_t n = t.retransmitted.size();
  uint64_t peak = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t sum = 0;
    for (const StackSeries& s : t.stacks) sum += s.values[i];
    peak = std::max({peak, sum, t.retransmitted[i]});
  }
  double step = nice_step(std::max<double>(1, static_cast<double>(peak)) / 4);
  double y_max = step * std::max(1.0, std::ceil(static_cast<double>(peak) / step));
  auto y_of = [&](double v) { return bottom - (bottom - top) * v / y_max; };
  for (double v = 0; v <= y_max * (1 + 1e-9); v += step) {
    canvas.line(left, y_of(v), right, y_of(v), kGrid);
    canvas.text(left - 3, y_of(v) + 2.5, human_bytes(v), 6.5, kAxis, Align::kRight);
  }
  canvas.vertical_text(box.x + 6, (top + bottom) / 2, "bytes per " + width_text(t.bucket_ns), 7,
                       kAxis);
  const double bar = (right - left) / static_cast<double>(n);
  const double gap = bar > 4 ? bar * 0.15 : 0;
  for (size_t i = 0; i < n; ++i) {
    double base = 0;
    for (const StackSeries& s : t.stacks) {
      if (s.values[i] == 0) continue;
      double v = static_cast<double>(s.values[i]);
      double y0 = y_of(base), y1 = y_of(base + v);
      canvas.fill_rect(left + i * bar + gap / 2, y1, bar - gap, std::max(0.3, y0 - y1),
                       palette(s.color));
      base += v;
    }
  }
  uint64_t retransmitted = 0, broken = 0;
  for (size_t i = 0; i < n; ++i) {
    retransmitted += t.retransmitted[i];
    broken += t.broken[i];
  }
  if (retransmitted > 0) {
    for (size_t i = 0; i + 1 < n; ++i) {
      canvas.line(left + (i + 0.5) * bar, y_of(static_cast<double>(t.retransmitted[i])),
                  left + (i + 1.5) * bar, y_of(static_cast<double>(t.retransmitted[i + 1])),
                  kRetransmitted, 0.9);
    }
    if (n == 1) canvas.dot(left + bar / 2, y_of(static_cast<double>(t.retransmitted[0])), 1.5, kRetransmitted);
  }
  for (size_t i = 0; i < n; ++i) {
    if (t.broken[i] == 0) continue;
    double x = left + (i + 0.5) * bar;
    canvas.triangle_down(x, top - 7, 6, kBroken);
    if (n <= 60) canvas.text(x, top - 8, std::to_string(t.broken[i]), 5.5, kBroken, Align::kCenter);
  }
  canvas.line(left, bottom, right, bottom, kAxis, 0.7);
  canvas.line(left, top, left, bottom, kAxis, 0.7);

  // Time axis: offsets from the first bucket's start, in one unit.
  double span = static_cast<double>(t.bucket_ns) * static_cast<double>(n);
  TimeUnit unit = unit_for(span);
  double tick = nice_step(span / unit.ns / 6);
  for (double v = 0; v * unit.ns <= span * (1 + 1e-9); v += tick) {
    double x = left + (right - left) * v * unit.ns / span;
    canvas.line(x, bottom, x, bottom + 3, kAxis);
    canvas.text(x, bottom + 11, number_text(v), 6.5, kAxis, Align::kCenter);
  }
  Timestamp start{t.start_ns / 1000000000, static_cast<uint32_t>(t.start_ns % 1000000000)};
  canvas.text((left + right) / 2, bottom + 21,
              std::string("time (") + unit.name + ") since " + utc_text(start), 7, kAxis,
              Align::kCenter);

  Box legend{left, bottom + 33, right - left, 24};
  double x = legend.x, y = legend.y;
  for (const StackSeries& s : t.stacks) {
    x = legend_item(canvas, x, y, legend, palette(s.color),
                    s.label + " " + human_bytes(static_cast<double>(s.total)), false);
  }
  x = legend_item(canvas, x, y, legend, kRetransmitted,
                  "retransmitted " + human_bytes(static_cast<double>(retransmitted)), true);
  double marker_width = 10 + canvas.text_width("gaps + conflicts: " + std::to_string(broken), 7);
  if (x + marker_width > legend.x + legend.w) {
    x = legend.x;
    y += 10;
  }
  canvas.triangle_down(x + 4, y - 6, 6, kBroken);
  canvas.text(x + 12, y, "gaps + conflicts: " + std::to_string(broken) + " (at flow end)", 7, kInk);
}

}  // namespace tcpflow::netviz
