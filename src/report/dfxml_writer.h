// Streams report.xml: a DFXML 2.0 document (validates against the schema's
// dfxml.xsd) with tcpflow's own facts in the tcpflow namespace. See
// src/report/FORMAT.md for the element-by-element description.
//
// Nothing is held in memory: the header and <creator> are written by the
// constructor, each closed flow by write_fileobject(), and finish() writes
// the totals and closes the document. Fileobjects are flushed soon rather
// than at once (every 64 flows, a second after the last flush, or on
// flush(), which the pipeline calls every 1,024 packets and when a live
// capture is quiet): a flush per flow would cost a system call per flow, 2
// million of them for a million short connections. A run killed with
// SIGKILL therefore keeps every flow closed more than about a second before
// it; the document is then merely unterminated, and python/tcpflow_report.py
// reads such a file up to its last complete <fileobject>. If the writer is
// destroyed without finish() - an exception unwound past it - it still
// closes the document validly, with <tcpflow:summary status="incomplete"/>.
//
// Write failures (disk full) never throw once the file is open: ok() turns
// false, error() says why, and the caller decides what to report.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flow/connection_record.h"
#include "flow/flow_info.h"
#include "report/run_context.h"
#include "report/run_summary.h"
#include "report/xml_child.h"

namespace tcpflow::report {

class XmlEmitter;

constexpr char kDfxmlNamespace[] = "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML";
constexpr char kDublinCoreNamespace[] = "http://purl.org/dc/elements/1.1/";
// tcpflow's extension namespace. An identifier, not a page to fetch; the "2"
// is the report format's major version and changes only with incompatible
// changes to the elements described in FORMAT.md.
constexpr char kTcpflowNamespace[] = "http://tcpflow.org/dfxml/2";
constexpr char kDfxmlSchemaVersion[] = "2.0.0-beta.0";

class DfxmlWriter {
 public:
  // Throws tcpflow::Error if the file cannot be created.
  DfxmlWriter(const std::string& path, const RunContext& context);
  ~DfxmlWriter();
  DfxmlWriter(const DfxmlWriter&) = delete;
  DfxmlWriter& operator=(const DfxmlWriter&) = delete;

  // Call for every input before the first write_fileobject(): sources are
  // written in one <source> block ahead of the first flow. A source added
  // later is listed in the summary instead (tcpflow:late_source).
  void add_source(const InputSource& source);

  // One per flow file as it closes; flushed soon (see above). Ignored after finish().
  // shard_seq (--shard runs): the entry's position in the single run's report.
  void write_fileobject(const flow::FlowInfo& info, const std::vector<XmlChild>& extra = {},
                        uint64_t shard_seq = 0);
  // One per connection as it leaves the flow table (with or without data).
  // The schema has no place for them among the fileobjects, so they wait in
  // an unlinked spool file beside the report (memory stays flat however many
  // connections there are) and are copied after <rusage> by finish().
  void write_connection(const flow::ConnectionRecord& record, uint64_t shard_seq = 0);

  // Hands everything written so far to the kernel (a quiet live capture).
  void flush();

  // Writes <rusage> (from getrusage) and <tcpflow:summary>, closes the
  // document and the file. Later calls do nothing.
  void finish(const RunSummary& summary);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  uint64_t fileobjects_written() const { return fileobjects_; }
  uint64_t connections_written() const { return connections_; }

 private:
  struct FileCloser {
    void operator()(FILE* file) const;
  };

  void write_header(const RunContext& context);
  void write_sources_once();
  void write_rusage(double elapsed_seconds);
  void write_summary(const RunSummary& summary);
  void write_late_sources();
  void close_document();
  void open_spool();
  void copy_connections();
  void check_stream(const char* when);

  std::string path_;
  std::unique_ptr<FILE, FileCloser> file_;
  std::unique_ptr<XmlEmitter> xml_;
  std::unique_ptr<FILE, FileCloser> spool_;  // <tcpflow:connection> elements so far
  std::unique_ptr<XmlEmitter> spool_xml_;
  uint64_t connections_ = 0;
  std::vector<InputSource> pending_sources_;
  std::vector<InputSource> late_sources_;
  bool sources_written_ = false;
  // The <source> path when there is exactly one: flows read from it alone
  // leave their <tcpflow:input> out (FORMAT.md).
  std::optional<std::string> sole_input_;
  bool finished_ = false;
  uint64_t fileobjects_ = 0;
  uint32_t unflushed_ = 0;
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
  std::string error_;
};

}  // namespace tcpflow::report
