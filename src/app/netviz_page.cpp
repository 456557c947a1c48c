#include "app/netviz_page.h"

#include <cstdio>

#include "netviz/page_model.h"
#include "netviz/page_renderer.h"
#include "netviz/report_reader.h"
#include "util/error.h"

namespace tcpflow::app {

namespace {

bool render(const netviz::TrafficStats& stats, const netviz::RunFacts& facts,
            const std::string& dir, const std::string& formats) {
  std::string error = netviz::render_page(netviz::build_page(stats, facts), dir,
                                          netviz::parse_formats(formats));
  if (error.empty()) return true;
  std::fprintf(stderr, "tcpflow: netviz: %s\n", error.c_str());
  return false;
}

}  // namespace

bool NetvizPage::draw(const Stats& counters) {
  stats_.finish();
  netviz::RunFacts facts = netviz::facts_from_stats(counters);
  facts.inputs = config_.read_files;
  facts.inputs.insert(facts.inputs.end(), config_.resume_files.begin(), config_.resume_files.end());
  if (config_.live) facts.inputs.push_back(config_.interface.empty() ? "default interface" : config_.interface);
  return render(stats_, facts, dir_, config_.scanner_options.netviz_formats);
}

int draw_netviz_from(const Config& config) {
  if (std::string why = netviz::renderer_unavailable(); !why.empty()) {
    throw Error("--netviz-from: " + why, 2);
  }
  netviz::parse_formats(config.scanner_options.netviz_formats);  // a usage error before reading
  netviz::TrafficStats stats;
  netviz::RunFacts facts;
  netviz::read_report(config.netviz_from + "/report.xml", stats, facts);
  return render(stats, facts, config.netviz_from, config.scanner_options.netviz_formats) ? 0 : 1;
}

}  // namespace tcpflow::app
