// The connection log's three styles: text, JSON (tapconn's keys), %-codes.
#include <gtest/gtest.h>

#include "report/connection_log_format.h"
#include "util/error.h"

namespace tcpflow::report {
namespace {

decode::IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  decode::IpAddress address;
  address.family = 4;
  address.bytes[0] = a;
  address.bytes[1] = b;
  address.bytes[2] = c;
  address.bytes[3] = d;
  return address;
}

ConnectionEnd sample(bool with_process) {
  ConnectionEnd e;
  e.start = Timestamp{1714564800, 250000000};
  e.end = Timestamp{1714564801, 500000000};
  e.local = v4(10, 0, 0, 1);
  e.remote = v4(192, 0, 2, 9);
  e.local_port = 40000;
  e.remote_port = 22;
  e.outbound = true;
  e.bytes_out = 120;
  e.bytes_in = 3400;
  e.packets_out = 5;
  e.packets_in = 6;
  e.close_reason = "fin";
  e.hostname = "box";
  if (with_process) {
    flow::ProcessInfo p;
    p.uid = 1001;
    p.user = "joe";
    p.pid = 4242;
    p.ppid = 1;
    p.cmd = "ssh";
    p.exe = "/usr/bin/ssh";
    p.cmdline = "ssh -v \"host\"";
    e.process = p;
  }
  return e;
}

TEST(ConnectionLogFormat, TextLine) {
  ConnectionLogFormat format = ConnectionLogFormat::parse("text");
  EXPECT_EQ(format.render(sample(true)),
            "connect: user joe, pid 4242, cmd ssh, local 10.0.0.1:40000, remote 192.0.2.9:22, "
            "exe /usr/bin/ssh, start 2024-05-01T12:00:00.250000Z, duration 1.250000 s, sent 120 "
            "bytes in 5 packets, received 3400 bytes in 6 packets, close fin\n");
  ConnectionEnd accepted = sample(false);
  accepted.outbound = false;
  EXPECT_EQ(format.render(accepted).substr(0, 40), "accept: local 10.0.0.1:40000, remote 192");
}

TEST(ConnectionLogFormat, JsonHasTapconnKeys) {
  ConnectionLogFormat format = ConnectionLogFormat::parse("json");
  EXPECT_EQ(format.render(sample(true)),
            "{\"hostname\":\"box\",\"cmd\":\"ssh\",\"dst_ip\":\"192.0.2.9\",\"dst_port\":22,"
            "\"pid\":4242,\"ppid\":1,\"uid\":1001,\"username\":\"joe\",\"exe\":\"/usr/bin/ssh\","
            "\"cmdline\":\"ssh -v \\\"host\\\"\",\"direction\":\"out\",\"local_ip\":\"10.0.0.1\","
            "\"local_port\":40000,\"remote_ip\":\"192.0.2.9\",\"remote_port\":22,"
            "\"start\":\"2024-05-01T12:00:00.250000Z\",\"end\":\"2024-05-01T12:00:01.500000Z\","
            "\"duration\":1.250000,\"bytes_out\":120,\"bytes_in\":3400,\"packets_out\":5,"
            "\"packets_in\":6,\"close\":\"fin\"}\n");
  ConnectionEnd server = sample(false);
  server.outbound = false;
  std::string json = format.render(server);
  // dst is the accepting end; unknown process fields are null.
  EXPECT_NE(json.find("\"dst_ip\":\"10.0.0.1\",\"dst_port\":40000"), std::string::npos) << json;
  EXPECT_NE(json.find("\"cmd\":null"), std::string::npos);
  EXPECT_NE(json.find("\"pid\":null,\"ppid\":null,\"uid\":null,\"username\":null"),
            std::string::npos);
  EXPECT_NE(json.find("\"direction\":\"in\""), std::string::npos);
}

TEST(ConnectionLogFormat, EveryCustomCode) {
  ConnectionLogFormat format = ConnectionLogFormat::parse(
      "%s|%e|%S|%E|%d|%L|%l|%R|%r|%D|%u|%U|%p|%P|%c|%x|%a|%o|%i|%O|%I|%C|%h|%%|%n");
  EXPECT_EQ(format.style(), ConnectionLogFormat::Style::kCustom);
  EXPECT_EQ(format.render(sample(true)),
            "2024-05-01T12:00:00.250000Z|2024-05-01T12:00:01.500000Z|1714564800.250000|"
            "1714564801.500000|1.250000|10.0.0.1|40000|192.0.2.9|22|out|joe|1001|4242|1|ssh|"
            "/usr/bin/ssh|ssh -v \"host\"|120|3400|5|6|fin|box|%|\n");
  EXPECT_EQ(ConnectionLogFormat::parse("%u %p %c %x").render(sample(false)), "- - - -");
}

TEST(ConnectionLogFormat, BadCodesAreUsageErrors) {
  EXPECT_THROW(ConnectionLogFormat::parse("%q"), UsageError);
  EXPECT_THROW(ConnectionLogFormat::parse("end %"), UsageError);
  try {
    ConnectionLogFormat::parse("ab%z");
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'%z' at position 3"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(ConnectionLogFormat::parse("no codes at all"));
}

TEST(ConnectionLogFormat, DurationNeverNegative) {
  EXPECT_EQ(duration_seconds(Timestamp{10, 0}, Timestamp{9, 0}), "0.000000");
  EXPECT_EQ(duration_seconds(Timestamp{10, 999999999}, Timestamp{11, 1000}), "0.000001");
}

}  // namespace
}  // namespace tcpflow::report
