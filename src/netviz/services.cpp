#include "netviz/services.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace tcpflow::netviz {

namespace {

struct Service {
  uint16_t port;
  std::string_view name;
};

// Sorted by port (binary search).
constexpr Service kServices[] = {
    {20, "ftp-data"},   {21, "ftp"},        {22, "ssh"},        {23, "telnet"},
    {25, "smtp"},       {43, "whois"},      {53, "dns"},        {70, "gopher"},
    {79, "finger"},     {80, "http"},       {88, "kerberos"},   {102, "iso-tsap"},
    {110, "pop3"},      {111, "rpcbind"},   {113, "ident"},     {119, "nntp"},
    {135, "msrpc"},     {139, "netbios"},   {143, "imap"},      {179, "bgp"},
    {389, "ldap"},      {443, "https"},     {445, "smb"},       {465, "smtps"},
    {502, "modbus"},    {513, "rlogin"},    {514, "rsh"},       {515, "printer"},
    {548, "afp"},       {554, "rtsp"},      {587, "submission"}, {631, "ipp"},
    {636, "ldaps"},     {873, "rsync"},     {989, "ftps-data"}, {990, "ftps"},
    {993, "imaps"},     {995, "pop3s"},     {1080, "socks"},    {1194, "openvpn"},
    {1433, "mssql"},    {1521, "oracle"},   {1723, "pptp"},     {1883, "mqtt"},
    {2049, "nfs"},      {2404, "iec-104"},  {3128, "squid"},    {3260, "iscsi"},
    {3306, "mysql"},    {3389, "rdp"},      {5060, "sip"},      {5061, "sips"},
    {5222, "xmpp"},     {5432, "postgres"}, {5672, "amqp"},     {5900, "vnc"},
    {5938, "teamviewer"}, {6379, "redis"},  {6667, "irc"},      {8000, "http-alt"},
    {8080, "http-proxy"}, {8443, "https-alt"}, {8883, "mqtts"}, {9092, "kafka"},
    {9200, "elastic"},  {11211, "memcache"}, {20000, "dnp3"},   {27017, "mongodb"},
};

}  // namespace

std::string_view service_name(uint16_t port) {
  auto it = std::lower_bound(std::begin(kServices), std::end(kServices), port,
                             [](const Service& s, uint16_t p) { return s.port < p; });
  if (it == std::end(kServices) || it->port != port) return {};
  return it->name;
}

uint16_t likely_server_port(uint16_t a, uint16_t b) {
  bool a_known = !service_name(a).empty();
  bool b_known = !service_name(b).empty();
  if (a_known != b_known) return a_known ? a : b;
  return std::min(a, b);
}

}  // namespace tcpflow::netviz
