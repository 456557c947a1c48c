#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode/packet.h"
#include "flow/conn_history.h"

namespace tcpflow::flow {
namespace {

using decode::TcpFlag;

// 'o' packets come from the low side, 'r' from the high side (the first
// packet's sender is the originator unless it is a SYN-ACK).
struct Pkt {
  char from;  // 'o' or 'r': low or high side of the key
  uint8_t flags;
  size_t payload = 0;
  bool bad_checksum = false;
};

constexpr uint8_t kSyn = TcpFlag::kSyn;
constexpr uint8_t kSynAck = TcpFlag::kSyn | TcpFlag::kAck;
constexpr uint8_t kAck = TcpFlag::kAck;
constexpr uint8_t kPshAck = TcpFlag::kPsh | TcpFlag::kAck;
constexpr uint8_t kFinAck = TcpFlag::kFin | TcpFlag::kAck;
constexpr uint8_t kRst = TcpFlag::kRst;
constexpr uint8_t kRstAck = TcpFlag::kRst | TcpFlag::kAck;

ConnHistory run(const std::vector<Pkt>& packets) {
  ConnHistory h;
  int64_t second = 100;
  for (const Pkt& p : packets) {
    h.observe(p.from == 'o' ? Side::kLow : Side::kHigh, p.flags, p.payload, p.bad_checksum,
              Timestamp{second++, 0});
  }
  return h;
}

std::string state_of(const std::vector<Pkt>& packets) {
  return conn_state_name(run(packets).state());
}

const std::vector<Pkt> kHandshake = {{'o', kSyn}, {'r', kSynAck}, {'o', kAck}};

std::vector<Pkt> handshake_then(std::vector<Pkt> rest) {
  std::vector<Pkt> all = kHandshake;
  all.insert(all.end(), rest.begin(), rest.end());
  return all;
}

TEST(ConnHistoryTest, S0SynNeverAnswered) {
  ConnHistory h = run({{'o', kSyn}, {'o', kSyn}, {'o', kSyn}});
  EXPECT_STREQ("S0", conn_state_name(h.state()));
  EXPECT_EQ("S", h.history());
  EXPECT_EQ(3u, h.packets(Side::kLow));
  EXPECT_EQ(0u, h.packets(Side::kHigh));
  EXPECT_EQ(Side::kLow, h.originator());
}

TEST(ConnHistoryTest, S1HandshakeWithoutClose) {
  EXPECT_EQ("S1", state_of(kHandshake));
  EXPECT_EQ("ShA", run(kHandshake).history());
  EXPECT_EQ("S1", state_of({{'o', kSyn}, {'r', kSynAck}}));
  EXPECT_EQ("S1", state_of(handshake_then({{'o', kPshAck, 10}, {'r', kAck}})));
}

TEST(ConnHistoryTest, SFBothSidesFinish) {
  ConnHistory h = run(handshake_then(
      {{'o', kPshAck, 5}, {'r', kPshAck, 7}, {'o', kFinAck}, {'r', kFinAck}, {'o', kAck}}));
  EXPECT_STREQ("SF", conn_state_name(h.state()));
  EXPECT_EQ("ShADdFf", h.history());
  EXPECT_EQ(5u, h.bytes(Side::kLow));
  EXPECT_EQ(7u, h.bytes(Side::kHigh));
  EXPECT_EQ(5u, h.packets(Side::kLow));
  EXPECT_EQ(3u, h.packets(Side::kHigh));
  EXPECT_EQ(100, h.first_ts().sec);
  EXPECT_EQ(107, h.last_ts().sec);
}

TEST(ConnHistoryTest, SFHandshakeAndCloseWithoutData) {
  ConnHistory h = run(handshake_then({{'o', kFinAck}, {'r', kFinAck}, {'o', kAck}}));
  EXPECT_STREQ("SF", conn_state_name(h.state()));
  EXPECT_EQ("ShAFf", h.history());
  EXPECT_EQ(0u, h.bytes(Side::kLow) + h.bytes(Side::kHigh));
}

TEST(ConnHistoryTest, REJSynAnsweredByReset) {
  ConnHistory h = run({{'o', kSyn}, {'r', kRstAck}});
  EXPECT_STREQ("REJ", conn_state_name(h.state()));
  EXPECT_EQ("Sr", h.history());
  // The originator resetting too does not make it accepted.
  EXPECT_EQ("REJ", state_of({{'o', kSyn}, {'r', kRstAck}, {'o', kRst}}));
}

TEST(ConnHistoryTest, S2OriginatorClosedResponderDidNot) {
  EXPECT_EQ("S2", state_of(handshake_then({{'o', kPshAck, 3}, {'o', kFinAck}, {'r', kAck}})));
}

TEST(ConnHistoryTest, S3ResponderClosedOriginatorDidNot) {
  EXPECT_EQ("S3", state_of(handshake_then({{'r', kPshAck, 3}, {'r', kFinAck}, {'o', kAck}})));
}

TEST(ConnHistoryTest, RSTOOriginatorAbortsEstablished) {
  EXPECT_EQ("RSTO", state_of(handshake_then({{'o', kPshAck, 3}, {'o', kRstAck}})));
  // A SYN scan of an open port: SYN, SYN-ACK, RST.
  ConnHistory h = run({{'o', kSyn}, {'r', kSynAck}, {'o', kRst}});
  EXPECT_STREQ("RSTO", conn_state_name(h.state()));
  EXPECT_EQ("ShR", h.history());
  // A reset after an orderly close still counts as the abort.
  EXPECT_EQ("RSTO", state_of(handshake_then({{'o', kFinAck}, {'r', kFinAck}, {'o', kRst}})));
}

TEST(ConnHistoryTest, RSTRResponderAbortsEstablished) {
  ConnHistory h = run(handshake_then({{'o', kPshAck, 3}, {'r', kRstAck}}));
  EXPECT_STREQ("RSTR", conn_state_name(h.state()));
  EXPECT_EQ("ShADr", h.history());
}

TEST(ConnHistoryTest, RSTOS0SynThenResetNoAnswer) {
  ConnHistory h = run({{'o', kSyn}, {'o', kRst}});
  EXPECT_STREQ("RSTOS0", conn_state_name(h.state()));
  EXPECT_EQ("SR", h.history());
}

TEST(ConnHistoryTest, RSTRHSynAckThenResetWithoutSyn) {
  // The first packet seen is the responder's SYN-ACK: roles are flipped.
  ConnHistory h = run({{'r', kSynAck}, {'r', kRst}});
  EXPECT_STREQ("RSTRH", conn_state_name(h.state()));
  EXPECT_EQ("^hr", h.history());
  EXPECT_EQ(Side::kLow, h.originator());
}

TEST(ConnHistoryTest, SHSynThenFinNoAnswer) {
  ConnHistory h = run({{'o', kSyn}, {'o', kFinAck}});
  EXPECT_STREQ("SH", conn_state_name(h.state()));
  EXPECT_EQ("SF", h.history());
}

TEST(ConnHistoryTest, SHRSynAckThenFinWithoutSyn) {
  ConnHistory h = run({{'o', kSynAck}, {'o', kFinAck}});
  EXPECT_STREQ("SHR", conn_state_name(h.state()));
  EXPECT_EQ("^hf", h.history());
  EXPECT_EQ(Side::kHigh, h.originator());
}

TEST(ConnHistoryTest, OTHMidStreamTraffic) {
  ConnHistory h = run({{'o', kPshAck, 100}, {'r', kAck}, {'o', kPshAck, 50}});
  EXPECT_STREQ("OTH", conn_state_name(h.state()));
  EXPECT_EQ("Da", h.history());
  EXPECT_EQ(150u, h.bytes(Side::kLow));
  // A reset in the middle of a stream never opened here.
  EXPECT_EQ("OTH", state_of({{'o', kPshAck, 10}, {'o', kRst}}));
}

TEST(ConnHistoryTest, MidStreamWithBothFinsIsSF) {
  EXPECT_EQ("SF", state_of({{'o', kPshAck, 10}, {'r', kFinAck}, {'o', kFinAck}}));
}

TEST(ConnHistoryTest, BadChecksumAndLettersOncePerSide) {
  ConnHistory h = run(handshake_then({{'o', kPshAck, 4, true},
                                      {'o', kPshAck, 4},
                                      {'r', kAck},
                                      {'r', kAck},
                                      {'r', kPshAck, 1, true}}));
  EXPECT_EQ("ShACDacd", h.history());
}

TEST(ConnHistoryTest, EveryStateHasItsZeekName) {
  const std::vector<std::pair<ConnState, std::string>> names = {
      {ConnState::kS0, "S0"},     {ConnState::kS1, "S1"},     {ConnState::kSF, "SF"},
      {ConnState::kREJ, "REJ"},   {ConnState::kS2, "S2"},     {ConnState::kS3, "S3"},
      {ConnState::kRSTO, "RSTO"}, {ConnState::kRSTR, "RSTR"}, {ConnState::kRSTOS0, "RSTOS0"},
      {ConnState::kRSTRH, "RSTRH"}, {ConnState::kSH, "SH"},   {ConnState::kSHR, "SHR"},
      {ConnState::kOTH, "OTH"},
  };
  for (const auto& [state, name] : names) EXPECT_EQ(name, conn_state_name(state));
}

TEST(ConnHistoryTest, EmptyUntilFirstPacket) {
  ConnHistory h;
  EXPECT_TRUE(h.empty());
  h.observe(Side::kHigh, kSyn, 0, false, Timestamp{1, 5});
  EXPECT_FALSE(h.empty());
  EXPECT_EQ(Side::kHigh, h.originator());
  EXPECT_EQ(Side::kLow, h.responder());
  EXPECT_EQ(5u, h.first_ts().nsec);
}

}  // namespace
}  // namespace tcpflow::flow
