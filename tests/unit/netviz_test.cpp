// The netviz collector, page model and report reader (no drawing here; the
// e2e tests read the drawn page back).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <numeric>

#include "netviz/page_model.h"
#include "netviz/page_renderer.h"
#include "netviz/report_reader.h"
#include "netviz/services.h"
#include "netviz/talker_table.h"
#include "netviz/time_histogram.h"
#include "netviz/traffic_stats.h"
#include "util/error.h"

namespace tcpflow::netviz {
namespace {

constexpr int64_t kSec = 1'000'000'000;

uint64_t column_total(const TimeHistogram& h, size_t column) {
  uint64_t total = 0;
  for (const auto& row : h.rows()) total += row[column];
  return total;
}

decode::IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  decode::IpAddress address;
  address.family = 4;
  address.bytes[0] = a;
  address.bytes[1] = b;
  address.bytes[2] = c;
  address.bytes[3] = d;
  return address;
}

Timestamp at(int64_t sec, uint32_t nsec = 0) { return Timestamp{sec, nsec}; }

TEST(NetvizTimeHistogram, WidthsAreEachAMultipleOfTheLast) {
  int64_t width = 1000;
  while (width < 100'000'000'000'000'000) {
    int64_t next = next_width(width);
    ASSERT_GT(next, width);
    ASSERT_EQ(next % width, 0) << width << " -> " << next;
    width = next;
  }
}

TEST(NetvizTimeHistogram, GrowsAndKeepsEveryCount) {
  TimeHistogram h;
  const int64_t start = 1'700'000'000 * kSec + 123'456'789;
  uint64_t expected = 0;
  // Times spread over a day, added out of order: the buckets widen and shift.
  for (int i = 0; i < 5000; ++i) {
    int64_t t = start + static_cast<int64_t>((i * 7919) % 5000) * 17 * kSec + i;
    h.add(t, 3, static_cast<uint64_t>(i));
    expected += static_cast<uint64_t>(i);
  }
  h.add(start - 5 * kSec, 3, 11);  // before the first bucket
  expected += 11;
  EXPECT_EQ(column_total(h, 3), expected);
  EXPECT_EQ(h.rows().size(), TimeHistogram::kBuckets);
  EXPECT_EQ(h.origin_ns() % h.width_ns(), 0);
  EXPECT_LE(h.origin_ns(), start - 5 * kSec);
  int64_t last = start + 4999 * 17 * kSec + 4999;
  EXPECT_LT(last, h.origin_ns() + static_cast<int64_t>(TimeHistogram::kBuckets) * h.width_ns());
  // A day (85,000 s) in 240 buckets: 600 s is the smallest nice width that fits.
  EXPECT_EQ(h.width_ns(), 600 * kSec);
}

TEST(NetvizTimeHistogram, OnePacketGetsTheFinestBucket) {
  TimeHistogram h;
  h.add(5 * kSec, 0, 60);
  EXPECT_EQ(h.width_ns(), 1000);
  EXPECT_EQ(h.rows()[h.index(5 * kSec)][0], 60u);
}

TEST(NetvizTimeHistogram, SpreadSharesByTimeAndKeepsTheTotal) {
  TimeHistogram h;
  h.add(0, 0, 0);
  h.add(100 * kSec, 0, 0);  // width 1 s from here on
  ASSERT_EQ(h.width_ns(), kSec);
  h.add_spread(10 * kSec, 14 * kSec, 1, 1000);  // four whole seconds and an instant
  EXPECT_EQ(column_total(h, 1), 1000u);
  EXPECT_EQ(h.rows()[h.index(10 * kSec)][1], 250u);
  EXPECT_EQ(h.rows()[h.index(13 * kSec)][1], 250u);
  h.merge_column(1, 2);
  EXPECT_EQ(column_total(h, 1), 0u);
  EXPECT_EQ(column_total(h, 2), 1000u);
}

TEST(NetvizTimeHistogram, AbsurdTimestampsAreClamped) {
  EXPECT_EQ(time_ns(at(-5)), 0);
  EXPECT_EQ(time_ns(at(INT64_MAX)), 3'000'000'000'000'000'000);
  TimeHistogram h;
  h.add(time_ns(at(0)), 0, 1);
  h.add(time_ns(at(INT64_MAX)), 0, 1);
  EXPECT_EQ(column_total(h, 0), 2u);
}

TEST(NetvizServices, BuiltInTable) {
  EXPECT_EQ(service_name(80), "http");
  EXPECT_EQ(service_name(443), "https");
  EXPECT_EQ(service_name(22), "ssh");
  EXPECT_EQ(service_name(27017), "mongodb");
  EXPECT_EQ(service_name(4), "");
  EXPECT_EQ(service_name(65535), "");
  EXPECT_EQ(likely_server_port(51000, 80), 80);
  EXPECT_EQ(likely_server_port(443, 1000), 443);
  EXPECT_EQ(likely_server_port(40000, 30000), 30000);
}

TEST(NetvizTalkers, RanksBySentAndReceived) {
  TalkerTable table;
  table.add(v4(10, 0, 0, 1), v4(10, 0, 0, 2), 100);
  table.add(v4(10, 0, 0, 1), v4(10, 0, 0, 3), 50);
  table.add(v4(10, 0, 0, 2), v4(10, 0, 0, 1), 500);
  auto senders = table.top_senders(10);
  ASSERT_EQ(senders.size(), 2u);
  EXPECT_EQ(senders[0].address, v4(10, 0, 0, 2));
  EXPECT_EQ(senders[0].sent, 500u);
  EXPECT_EQ(senders[1].sent, 150u);
  auto receivers = table.top_receivers(2);
  ASSERT_EQ(receivers.size(), 2u);
  EXPECT_EQ(receivers[0].address, v4(10, 0, 0, 1));
  EXPECT_EQ(receivers[1].address, v4(10, 0, 0, 2));
  EXPECT_EQ(receivers[1].received, 100u);
  EXPECT_FALSE(table.pruned());
}

TEST(NetvizTalkers, CapacityIsKeptAndHeavyHittersSurvive) {
  TalkerTable table(64);
  for (int i = 0; i < 10000; ++i) {
    table.add(v4(10, 0, 0, 1), v4(172, 16, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)), 1);
    ASSERT_LE(table.size(), 64u);
  }
  EXPECT_TRUE(table.pruned());
  auto senders = table.top_senders(1);
  ASSERT_EQ(senders.size(), 1u);
  EXPECT_EQ(senders[0].address, v4(10, 0, 0, 1));
  EXPECT_GT(senders[0].sent, 9000u);  // its entry was never the one forgotten
}

flow::FlowInfo flow_between(decode::IpAddress src, uint16_t sport, decode::IpAddress dst,
                            uint16_t dport, bool client, uint64_t id, int64_t first_sec,
                            int64_t last_sec, uint64_t bytes) {
  flow::FlowInfo info;
  info.src = src;
  info.dst = dst;
  info.src_port = sport;
  info.dst_port = dport;
  info.direction_known = true;
  info.is_client = client;
  info.connection_id = id;
  info.first_ts = at(first_sec);
  info.last_ts = at(last_sec);
  info.reassembly.payload_bytes = bytes;
  return info;
}

TEST(NetvizTrafficStats, PacketsFeedTimeTalkersPortsAndSizes) {
  TrafficStats stats;
  decode::IpPacket ip;
  ip.proto = decode::NetProto::kIPv4;
  ip.src = v4(10, 0, 0, 1);
  ip.dst = v4(10, 0, 0, 2);
  decode::TcpSegment tcp;
  tcp.src_port = 50000;
  tcp.dst_port = 80;
  flow::FlowInfo client = flow_between(ip.src, 50000, ip.dst, 80, true, 1, 0, 0, 0);
  stats.add_packet(at(100), 1514, &ip, &tcp, &client);
  stats.add_packet(at(101), 60, &ip, &tcp, nullptr);  // no flow: port guessed
  stats.add_packet(at(102), 42, nullptr, nullptr, nullptr);  // ARP
  EXPECT_EQ(stats.packets(), 3u);
  EXPECT_EQ(stats.wire_bytes(), 1616u);
  EXPECT_EQ(stats.port(80).bytes, 1574u);
  EXPECT_EQ(stats.port(50000).bytes, 0u);
  EXPECT_EQ(stats.first_ts(), at(100));
  EXPECT_EQ(stats.last_ts(), at(102));
  EXPECT_EQ(stats.packet_sizes()[0], 2u);  // 60 and 42
  EXPECT_EQ(stats.packet_sizes()[6], 1u);  // 1500..1518
  EXPECT_EQ(column_total(stats.histogram(), kColumnNonTcp), 42u);
  EXPECT_EQ(stats.slot_port(1), 80);
  EXPECT_EQ(column_total(stats.histogram(), kColumnFirstPort), 1574u);
  stats.finish();
  EXPECT_EQ(stats.talkers().top_senders(1)[0].sent, 1574u);
}

TEST(NetvizTrafficStats, EveryConnectionSeenInPacketsCountsOnce) {
  TrafficStats stats;
  decode::IpPacket ip;
  ip.proto = decode::NetProto::kIPv4;
  ip.src = v4(10, 0, 0, 1);
  ip.dst = v4(10, 0, 0, 2);
  decode::TcpSegment tcp;
  tcp.src_port = 50000;
  tcp.dst_port = 25;
  flow::FlowInfo first = flow_between(ip.src, 50000, ip.dst, 25, true, 1, 0, 0, 0);
  flow::FlowInfo second = flow_between(ip.src, 50001, ip.dst, 25, true, 2, 0, 0, 10);
  stats.add_packet(at(1), 60, &ip, &tcp, &first);   // a SYN that never got an answer
  stats.add_packet(at(2), 60, &ip, &tcp, &second);
  stats.add_packet(at(3), 70, &ip, &tcp, &second);
  EXPECT_EQ(stats.port(25).connections, 2u);
  stats.add_flow(second);  // only the second had payload
  stats.connection_closed(2);
  EXPECT_EQ(stats.port(25).connections, 2u);
  EXPECT_EQ(stats.connections(), 1u);
  EXPECT_EQ(stats.points().size(), 1u);
}

// Per-direction sums reach the address table when their slot is reused or at finish().
TEST(NetvizTrafficStats, DirectionCacheFollowsReusedFlowEntries) {
  TrafficStats stats;
  decode::IpPacket ip;
  ip.proto = decode::NetProto::kIPv4;
  decode::TcpSegment tcp;
  tcp.src_port = 50000;
  tcp.dst_port = 80;
  // One FlowInfo object reused for a new connection between other hosts,
  // as the flow table may do with its memory.
  flow::FlowInfo entry = flow_between(v4(10, 0, 0, 1), 50000, v4(10, 0, 0, 2), 80, true, 1, 0, 0, 0);
  ip.src = entry.src;
  ip.dst = entry.dst;
  stats.add_packet(at(1), 100, &ip, &tcp, &entry);
  stats.add_packet(at(2), 100, &ip, &tcp, &entry);
  entry = flow_between(v4(10, 0, 0, 3), 50000, v4(10, 0, 0, 4), 80, true, 2, 0, 0, 0);
  ip.src = entry.src;
  ip.dst = entry.dst;
  stats.add_packet(at(3), 50, &ip, &tcp, &entry);
  stats.finish();
  auto senders = stats.talkers().top_senders(10);
  ASSERT_EQ(senders.size(), 2u);
  EXPECT_EQ(senders[0].address, v4(10, 0, 0, 1));
  EXPECT_EQ(senders[0].sent, 200u);
  EXPECT_EQ(senders[1].address, v4(10, 0, 0, 3));
  EXPECT_EQ(senders[1].sent, 50u);
  EXPECT_EQ(stats.talkers().top_receivers(1)[0].received, 200u);
}

TEST(NetvizTrafficStats, ManyAddressesThroughTheCacheStayBounded) {
  TrafficStats stats;
  decode::IpPacket ip;
  ip.proto = decode::NetProto::kIPv4;
  decode::TcpSegment tcp;
  tcp.src_port = 50000;
  tcp.dst_port = 80;
  std::vector<flow::FlowInfo> flows;
  for (uint32_t i = 0; i < 20000; ++i) {
    flows.push_back(flow_between(v4(172, 16, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)),
                                 50000, v4(10, 0, 0, 1), 80, true, i + 1, 0, 0, 0));
  }
  for (int round = 0; round < 2; ++round) {
    for (const flow::FlowInfo& f : flows) {
      ip.src = f.src;
      ip.dst = f.dst;
      stats.add_packet(at(round), 10, &ip, &tcp, &f);
    }
  }
  stats.finish();
  EXPECT_LE(stats.talkers().size(), 8192u);
  EXPECT_TRUE(stats.talkers().pruned());
  auto receivers = stats.talkers().top_receivers(1);
  ASSERT_EQ(receivers.size(), 1u);
  EXPECT_EQ(receivers[0].address, v4(10, 0, 0, 1));
  EXPECT_EQ(receivers[0].received, 400000u);  // never forgotten: always the largest
}

TEST(NetvizTrafficStats, PortSlotsAreRecycledWithoutLosingBytes) {
  TrafficStats stats;
  decode::IpPacket ip;
  ip.proto = decode::NetProto::kIPv4;
  ip.src = v4(10, 0, 0, 1);
  ip.dst = v4(10, 0, 0, 2);
  decode::TcpSegment tcp;
  uint64_t total = 0;
  // Ten small ports take every slot; a big late one must still get its own.
  for (uint16_t p = 1; p <= 10; ++p) {
    tcp.src_port = 60000;
    tcp.dst_port = static_cast<uint16_t>(1000 + p);
    stats.add_packet(at(p), 100, &ip, &tcp, nullptr);
    total += 100;
  }
  tcp.dst_port = 5000;
  for (int i = 0; i < 5; ++i) {
    stats.add_packet(at(20 + i), 1000, &ip, &tcp, nullptr);
    total += 1000;
  }
  bool has_5000 = false;
  for (size_t s = 1; s <= kPortSlots; ++s) has_5000 = has_5000 || stats.slot_port(s) == 5000;
  EXPECT_TRUE(has_5000);
  uint64_t counted = 0;
  for (size_t c = kColumnFirstPort; c <= kColumnOtherTcp; ++c) counted += column_total(stats.histogram(), c);
  EXPECT_EQ(counted, total);
}

TEST(NetvizTrafficStats, ConnectionsJoinBothDirections) {
  TrafficStats stats;
  auto a = v4(10, 0, 0, 1), b = v4(10, 0, 0, 2);
  flow::FlowInfo up = flow_between(a, 40000, b, 443, true, 7, 10, 12, 300);
  flow::FlowInfo down = flow_between(b, 443, a, 40000, false, 7, 11, 15, 5000);
  down.reassembly.duplicate_bytes = 1000;
  down.reassembly.gaps.resize(2);
  down.reassembly.conflict_count = 1;
  stats.add_flow(up);
  stats.add_flow(down);
  EXPECT_EQ(stats.connections(), 0u);
  stats.connection_closed(7);
  EXPECT_EQ(stats.connections(), 1u);
  EXPECT_EQ(stats.port(443).connections, 1u);
  ASSERT_EQ(stats.points().size(), 1u);
  EXPECT_DOUBLE_EQ(stats.points()[0].duration_sec, 5.0);
  EXPECT_EQ(stats.points()[0].bytes, 300u + 4000u);  // duplicates not counted
  EXPECT_EQ(stats.points()[0].server_port, 443);
  EXPECT_EQ(stats.retransmitted_bytes(), 1000u);
  EXPECT_EQ(stats.gaps(), 2u);
  EXPECT_EQ(stats.conflicts(), 1u);
  EXPECT_EQ(column_total(stats.histogram(), kColumnRetransmitted), 1000u);
  EXPECT_EQ(column_total(stats.histogram(), kColumnGaps), 2u);
}

TEST(NetvizTrafficStats, ConnectionSampleIsBoundedAndRepeatable) {
  auto run = [] {
    TrafficStats stats;
    for (uint64_t id = 1; id <= 10000; ++id) {
      stats.add_flow(flow_between(v4(10, 0, 0, 1), 40000, v4(10, 0, 0, 2), 80, true, id,
                                  static_cast<int64_t>(id), static_cast<int64_t>(id + 1), id));
      stats.connection_closed(id);
    }
    return stats.points();
  };
  auto first = run(), second = run();
  ASSERT_EQ(first.size(), TrafficStats::kMaxPoints);
  for (size_t i = 0; i < first.size(); ++i) ASSERT_EQ(first[i].bytes, second[i].bytes);
  // A uniform sample reaches past the first kMaxPoints connections.
  uint64_t late = 0;
  for (const auto& p : first) late += p.bytes > TrafficStats::kMaxPoints;
  EXPECT_GT(late, 1000u);
}

TEST(NetvizPageText, Spellings) {
  EXPECT_EQ(with_commas(0), "0");
  EXPECT_EQ(with_commas(1234567), "1,234,567");
  EXPECT_EQ(with_commas(100), "100");
  EXPECT_EQ(human_bytes(512), "512 B");
  EXPECT_EQ(human_bytes(1500), "1.50 kB");
  EXPECT_EQ(human_bytes(2'500'000), "2.50 MB");
  EXPECT_EQ(human_bytes(999'999), "1.00 MB");
  EXPECT_EQ(width_text(20'000'000), "20 ms");
  EXPECT_EQ(width_text(120 * kSec), "2 min");
  EXPECT_EQ(width_text(6 * 3600 * kSec), "6 h");
  EXPECT_EQ(utc_text(at(1714564800, 250'000'000)), "2024-05-01 12:00:00.250 UTC");
  EXPECT_EQ(duration_text(1.5), "1.500 s");
  EXPECT_EQ(duration_text(125), "2 min 5 s");
  EXPECT_EQ(port_label(80), "80 (http)");
  EXPECT_EQ(port_label(8123), "8123");
}

TEST(NetvizPageModel, TopTablesSharesAndColours) {
  TrafficStats stats;
  decode::IpPacket ip;
  ip.proto = decode::NetProto::kIPv4;
  decode::TcpSegment tcp;
  auto send = [&](decode::IpAddress src, decode::IpAddress dst, uint16_t port, uint32_t len, int64_t sec) {
    ip.src = src;
    ip.dst = dst;
    tcp.src_port = 50000;
    tcp.dst_port = port;
    stats.add_packet(at(sec), len, &ip, &tcp, nullptr);
  };
  send(v4(10, 0, 0, 1), v4(10, 0, 0, 9), 80, 1000, 0);
  send(v4(10, 0, 0, 1), v4(10, 0, 0, 9), 80, 1000, 1);
  send(v4(10, 0, 0, 2), v4(10, 0, 0, 9), 22, 1000, 2);
  send(v4(10, 0, 0, 3), v4(10, 0, 0, 8), 9999, 1000, 3);
  stats.finish();
  Stats counters;
  counters.add(Counter::kPacketsRead, 4);
  counters.add(Counter::kTruncatedIpHeader, 2);
  counters.add(Counter::kBadTcpHeader, 1);
  counters.add(Counter::kSegmentsBeforeStart, 5);
  RunFacts facts = facts_from_stats(counters);
  EXPECT_EQ(facts.malformed, 3u);
  EXPECT_EQ(facts.dropped, 5u);
  facts.inputs = {"a.pcap"};
  PageModel page = build_page(stats, facts);
  ASSERT_EQ(page.top_senders.size(), 3u);
  EXPECT_EQ(page.top_senders[0].label, "10.0.0.1");
  EXPECT_EQ(page.top_senders[0].value, 2000u);
  EXPECT_DOUBLE_EQ(page.top_senders[0].share, 0.5);
  EXPECT_EQ(page.top_receivers[0].label, "10.0.0.9");
  EXPECT_EQ(page.top_receivers[0].value, 3000u);
  ASSERT_EQ(page.ports_by_bytes.size(), 3u);
  EXPECT_EQ(page.ports_by_bytes[0].label, "80 (http)");
  EXPECT_EQ(page.ports_by_bytes[1].label, "22 (ssh)");  // ties: lower port first
  EXPECT_EQ(page.ports_by_bytes[0].color, 0);
  EXPECT_FALSE(page.traffic.empty);
  EXPECT_EQ(page.traffic.bucket_ns, 20'000'000);  // 3 s in 240 buckets
  uint64_t drawn = 0;
  for (const StackSeries& s : page.traffic.stacks) drawn += s.total;
  EXPECT_EQ(drawn, 4000u);
  EXPECT_EQ(page.header_lines[0], "Input: a.pcap");
  EXPECT_NE(page.header_lines[2].find("Packets: 4"), std::string::npos);
  EXPECT_NE(page.header_lines[3].find("Malformed: 3"), std::string::npos);
  EXPECT_TRUE(page.sizes_available);
}

TEST(NetvizPageModel, EmptyRunHasNoTraffic) {
  TrafficStats stats;
  stats.finish();
  PageModel page = build_page(stats, RunFacts{});
  EXPECT_TRUE(page.traffic.empty);
  EXPECT_TRUE(page.top_senders.empty());
  EXPECT_TRUE(page.points.empty());
}

TEST(NetvizFormats, Parse) {
  OutputFormats f = parse_formats("svg");
  EXPECT_TRUE(f.svg);
  EXPECT_FALSE(f.pdf);
  EXPECT_FALSE(f.png);
  f = parse_formats("png,pdf");
  EXPECT_TRUE(f.png && f.pdf && !f.svg);
  EXPECT_THROW(parse_formats("jpeg"), UsageError);
  EXPECT_THROW(parse_formats(""), UsageError);
  EXPECT_THROW(parse_formats("pdf,"), UsageError);
}

TEST(NetvizReportReader, Times) {
  Timestamp ts;
  ASSERT_TRUE(parse_report_time("2024-05-01T12:00:00.250000Z", ts));
  EXPECT_EQ(ts, at(1714564800, 250'000'000));
  ASSERT_TRUE(parse_report_time("2024-05-01T12:00:00.000000001Z", ts));
  EXPECT_EQ(ts.nsec, 1u);
  EXPECT_FALSE(parse_report_time("yesterday", ts));
  EXPECT_FALSE(parse_report_time(nullptr, ts));
}

TEST(NetvizReportReader, FillsStatsAndFacts) {
  std::string path = ::testing::TempDir() + "netviz_report_test.xml";
  {
    std::ofstream out(path);
    out << R"(<?xml version="1.0" encoding="UTF-8"?>
<dfxml xmlns:tcpflow="http://tcpflow.org/dfxml/2" version="2.0.0-beta.0">
  <source><image_filename>in.pcap</image_filename></source>
  <fileobject><filename>a</filename>
    <tcpflow:flow family="ipv4" src_ip="10.0.0.1" src_port="40000" dst_ip="10.0.0.2" dst_port="80"
      direction="client" connection_id="1" flow_id="0" start_time="2024-05-01T12:00:00.000000Z"
      end_time="2024-05-01T12:00:02.000000Z" packets="3" segments="3" bytes="100"/>
  </fileobject>
  <fileobject><filename>b</filename>
    <tcpflow:flow family="ipv6" src_ip="2001:db8::2" src_port="80" dst_ip="2001:db8::1" dst_port="40000"
      direction="server" connection_id="2" flow_id="1" start_time="2024-05-01T12:00:01.000000Z"
      end_time="2024-05-01T12:00:04.000000Z" packets="3" segments="3" bytes="900"
      duplicate_bytes="100" gap_count="1"/>
  </fileobject>
  <tcpflow:summary status="complete" packets_read="9">
    <tcpflow:counter name="packets_read" value="9"/>
    <tcpflow:counter name="bytes_read" value="1234"/>
    <tcpflow:counter name="connections_created" value="2"/>
    <tcpflow:counter name="non_tcp_packets" value="1"/>
  </tcpflow:summary>
</dfxml>
)";
  }
  TrafficStats stats;
  RunFacts facts;
  read_report(path, stats, facts);
  EXPECT_TRUE(facts.from_report);
  EXPECT_EQ(facts.inputs, std::vector<std::string>{"in.pcap"});
  EXPECT_EQ(facts.packets, 9u);
  EXPECT_EQ(facts.captured_bytes, 1234u);
  EXPECT_EQ(facts.connections, 2u);
  EXPECT_EQ(facts.non_tcp, 1u);
  EXPECT_EQ(stats.connections(), 2u);
  EXPECT_EQ(stats.port(80).bytes, 900u);  // 100 + 800 without duplicates
  EXPECT_EQ(stats.port(80).connections, 2u);
  EXPECT_EQ(stats.first_ts(), at(1714564800));
  EXPECT_EQ(stats.last_ts(), at(1714564804));
  EXPECT_EQ(stats.gaps(), 1u);
  EXPECT_EQ(stats.retransmitted_bytes(), 100u);
  PageModel page = build_page(stats, facts);
  EXPECT_FALSE(page.sizes_available);
  ASSERT_EQ(page.top_senders.size(), 2u);
  EXPECT_EQ(page.top_senders[0].label, "2001:db8::2");
  EXPECT_EQ(page.top_senders[0].value, 800u);
  std::remove(path.c_str());
}

TEST(NetvizReportReader, MissingOrBrokenReportIsAnError) {
  TrafficStats stats;
  RunFacts facts;
  EXPECT_THROW(read_report("/nonexistent/report.xml", stats, facts), Error);
  std::string path = ::testing::TempDir() + "netviz_broken.xml";
  {
    std::ofstream out(path);
    out << "<notdfxml/>";
  }
  EXPECT_THROW(read_report(path, stats, facts), Error);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tcpflow::netviz
