#include "report/dfxml_writer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "report/connection_format.h"
#include "report/dfxml_fileobject.h"
#include "report/xml_emitter.h"
#include "util/error.h"

namespace tcpflow::report {
namespace {

std::string seconds_text(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", seconds);
  return buf;
}

double timeval_seconds(const struct timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// Empty facts are left out rather than written as empty elements: several of
// these are typed (xs:dateTime) and an empty value would not validate.
void leaf_if(XmlEmitter& xml, const char* name, const std::string& value) {
  if (!value.empty()) xml.leaf(name, value);
}

void emit_library(XmlEmitter& xml, const Library& library) {
  xml.open("library");
  xml.attribute("name", library.name);
  xml.attribute("version", library.version);
  xml.close();
}

void emit_source(XmlEmitter& xml, const char* element, const InputSource& source) {
  xml.open(element);
  xml.attribute("tcpflow:size", source.size);
  if (!source.sha256.empty()) xml.attribute("tcpflow:sha256", source.sha256);
  xml.text(source.path);
  xml.close();
}

}  // namespace

void DfxmlWriter::FileCloser::operator()(FILE* file) const {
  if (file != nullptr) std::fclose(file);
}

DfxmlWriter::DfxmlWriter(const std::string& path, const RunContext& context) : path_(path) {
  FILE* file = std::fopen(path.c_str(), "we");
  if (file == nullptr) {
    throw Error("cannot create report " + path + ": " + std::strerror(errno));
  }
  file_.reset(file);
  open_spool();
  xml_ = std::make_unique<XmlEmitter>(file);
  write_header(context);
  check_stream("writing the header");
}

DfxmlWriter::~DfxmlWriter() {
  if (finished_ || !file_) return;
  try {
    write_sources_once();
    copy_connections();
    xml_->open("tcpflow:summary");
    xml_->attribute("status", "incomplete");
    xml_->attribute("fileobjects", fileobjects_);
    xml_->attribute("connection_records", connections_);
    xml_->close();
    close_document();
  } catch (...) {
    // Best effort only: a destructor must not throw.
  }
}

void DfxmlWriter::write_header(const RunContext& context) {
  XmlEmitter& xml = *xml_;
  xml.declaration();
  xml.open("dfxml");
  xml.attribute("xmlns", kDfxmlNamespace);
  xml.attribute("xmlns:dc", kDublinCoreNamespace);
  xml.attribute("xmlns:tcpflow", kTcpflowNamespace);
  xml.attribute("version", kDfxmlSchemaVersion);

  // The run's settings are document metadata in our own namespace: the
  // schema's <metadata> accepts any namespace, <creator> accepts none.
  xml.open("metadata");
  xml.leaf("dc:type", "Feature Extraction");
  xml.open("tcpflow:configuration");
  for (const auto& [name, value] : context.configuration) {
    xml.open("tcpflow:setting");
    xml.attribute("name", name);
    xml.attribute("value", value);
    xml.close();
  }
  xml.close();
  xml.close();

  xml.open("creator");
  xml.leaf("program", context.program);
  leaf_if(xml, "version", context.version);
  xml.open("build_environment");
  if (!context.build.flags.empty()) xml.attribute("tcpflow:flags", context.build.flags);
  leaf_if(xml, "compiler", context.build.compiler);
  leaf_if(xml, "compilation_date", context.build.compilation_date);
  for (const Library& library : context.build.libraries) emit_library(xml, library);
  xml.close();
  xml.open("execution_environment");
  leaf_if(xml, "os_sysname", context.os_sysname);
  leaf_if(xml, "os_release", context.os_release);
  leaf_if(xml, "os_version", context.os_version);
  leaf_if(xml, "host", context.host);
  leaf_if(xml, "arch", context.arch);
  leaf_if(xml, "command_line", context.command_line);
  leaf_if(xml, "uid", context.uid);
  leaf_if(xml, "username", context.username);
  leaf_if(xml, "start_time", context.start_time);
  xml.close();
  for (const Library& library : context.runtime_libraries) emit_library(xml, library);
  xml.close();
}

void DfxmlWriter::add_source(const InputSource& source) {
  if (finished_) return;
  if (sources_written_) {
    late_sources_.push_back(source);
  } else {
    pending_sources_.push_back(source);
  }
}

// <source> must come after <creator> and before any <fileobject>, and the
// schema allows only one, so sources wait here until the first flow.
void DfxmlWriter::write_sources_once() {
  if (sources_written_) return;
  sources_written_ = true;
  if (pending_sources_.empty()) return;
  xml_->open("source");
  for (const InputSource& source : pending_sources_) emit_source(*xml_, "image_filename", source);
  xml_->close();
  if (pending_sources_.size() == 1) sole_input_ = pending_sources_.front().path;
  pending_sources_.clear();
}

void DfxmlWriter::write_fileobject(const flow::FlowInfo& info, const std::vector<XmlChild>& extra,
                                   uint64_t shard_seq) {
  if (finished_ || !file_) return;
  write_sources_once();
  emit_fileobject(*xml_, info, extra, sole_input_ ? &*sole_input_ : nullptr, shard_seq);
  ++fileobjects_;
  constexpr uint32_t kFlushEveryFlows = 64;
  if (++unflushed_ >= kFlushEveryFlows ||
      std::chrono::steady_clock::now() - last_flush_ >= std::chrono::seconds(1)) {
    flush();
  }
}

// In the report's directory rather than /tmp, which may be a small tmpfs.
void DfxmlWriter::open_spool() {
  size_t slash = path_.rfind('/');
  std::string pattern =
      (slash == std::string::npos ? std::string() : path_.substr(0, slash + 1)) +
      ".tcpflow-connections-XXXXXX";
  FILE* spool = nullptr;
  int fd = ::mkstemp(pattern.data());
  if (fd >= 0) {
    ::unlink(pattern.c_str());
    spool = ::fdopen(fd, "w+");
    if (spool == nullptr) ::close(fd);
  }
  if (spool == nullptr) spool = std::tmpfile();
  if (spool == nullptr) {
    throw Error("cannot create a spool file for report " + path_ + ": " + std::strerror(errno));
  }
  spool_.reset(spool);
  spool_xml_ = std::make_unique<XmlEmitter>(spool);
}

void DfxmlWriter::write_connection(const flow::ConnectionRecord& record, uint64_t shard_seq) {
  if (finished_ || !spool_xml_) return;
  emit_connection(*spool_xml_, record, shard_seq);
  ++connections_;
  // A SYN flood is a million records: hand them to the spool file as they
  // come, or they all wait in memory until the report ends.
  constexpr size_t kSpoolChunk = 64 * 1024;
  if (spool_xml_->pending() >= kSpoolChunk) spool_xml_->flush();
}

void DfxmlWriter::copy_connections() {
  if (!spool_xml_) return;
  spool_xml_.reset();  // flushes what it holds
  xml_->flush();
  FILE* spool = spool_.get();
  bool ok = std::fflush(spool) == 0 && std::fseek(spool, 0, SEEK_SET) == 0;
  char buffer[64 * 1024];
  size_t n = 0;
  if (ok && connections_ > 0) std::fputs("\n", file_.get());
  while (ok && (n = std::fread(buffer, 1, sizeof buffer, spool)) > 0) {
    ok = std::fwrite(buffer, 1, n, file_.get()) == n;
  }
  if ((!ok || std::ferror(spool)) && error_.empty()) {
    error_ = "report " + path_ + ": copying the connection records failed: " + std::strerror(errno);
  }
  spool_.reset();
}

void DfxmlWriter::flush() {
  if (finished_ || !file_ || unflushed_ == 0) return;
  unflushed_ = 0;
  last_flush_ = std::chrono::steady_clock::now();
  check_stream("writing a fileobject");
}

void DfxmlWriter::finish(const RunSummary& summary) {
  if (finished_ || !file_) return;
  write_sources_once();
  write_rusage(summary.elapsed_seconds);
  copy_connections();
  write_summary(summary);
  close_document();
  finished_ = true;
}

void DfxmlWriter::write_rusage(double elapsed_seconds) {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return;
  XmlEmitter& xml = *xml_;
  xml.open("rusage");
  xml.leaf("utime", seconds_text(timeval_seconds(usage.ru_utime)));
  xml.leaf("stime", seconds_text(timeval_seconds(usage.ru_stime)));
  xml.leaf("maxrss", std::to_string(usage.ru_maxrss));
  xml.leaf("minflt", std::to_string(usage.ru_minflt));
  xml.leaf("majflt", std::to_string(usage.ru_majflt));
  xml.leaf("nswap", std::to_string(usage.ru_nswap));
  xml.leaf("inblock", std::to_string(usage.ru_inblock));
  xml.leaf("oublock", std::to_string(usage.ru_oublock));
  xml.leaf("clocktime", seconds_text(elapsed_seconds));
  xml.close();
}

void DfxmlWriter::write_summary(const RunSummary& summary) {
  XmlEmitter& xml = *xml_;
  const Stats& stats = summary.stats;
  xml.open("tcpflow:summary");
  xml.attribute("status", summary.status.empty() ? std::string("complete") : summary.status);
  if (!summary.stop_reason.empty()) xml.attribute("stop_reason", summary.stop_reason);
  xml.attribute("packets_read", stats.get(Counter::kPacketsRead));
  xml.attribute("bytes_read", stats.get(Counter::kBytesRead));
  xml.attribute("flows", stats.get(Counter::kFlowsCreated));
  xml.attribute("connections", stats.get(Counter::kConnectionsCreated));
  xml.attribute("fileobjects", fileobjects_);
  xml.attribute("connection_records", connections_);
  xml.attribute("elapsed_seconds", seconds_text(summary.elapsed_seconds));
  for (size_t i = 0; i < kCounterCount; ++i) {
    Counter counter = static_cast<Counter>(i);
    xml.open("tcpflow:counter");
    xml.attribute("name", counter_name(counter));
    xml.attribute("value", stats.get(counter));
    xml.attribute("description", counter_description(counter));
    xml.close();
  }
  for (const auto& [name, value] : summary.values) {
    xml.open("tcpflow:value");
    xml.attribute("name", name);
    xml.attribute("value", value);
    xml.close();
  }
  for (const InputSource& source : late_sources_) emit_source(xml, "tcpflow:late_source", source);
  xml.close();
}

void DfxmlWriter::close_document() {
  xml_->close_all();
  xml_->flush();
  std::fputc('\n', file_.get());
  check_stream("closing the document");
  xml_.reset();
  if (std::fclose(file_.release()) != 0 && error_.empty()) {
    error_ = "report " + path_ + ": close failed: " + std::strerror(errno);
  }
}

void DfxmlWriter::check_stream(const char* when) {
  if (xml_) xml_->flush();
  if (std::fflush(file_.get()) == 0 && !std::ferror(file_.get())) return;
  if (error_.empty()) {
    error_ = "report " + path_ + ": write failed while " + when + ": " + std::strerror(errno);
  }
}

}  // namespace tcpflow::report
