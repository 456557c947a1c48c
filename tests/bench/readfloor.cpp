// readfloor: the cost of just reading a capture through libpcap
// (pcap_open_offline + pcap_next_ex, nothing else). A lower bound for any
// tool that reads the same file with libpcap.
#include <pcap/pcap.h>

#include <chrono>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("%s\n", pcap_lib_version());
    return 0;
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: readfloor FILE.pcap | --version\n");
    return 2;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  const auto t0 = std::chrono::steady_clock::now();
  pcap_t* p = pcap_open_offline(argv[1], errbuf);
  if (!p) {
    std::fprintf(stderr, "readfloor: %s\n", errbuf);
    return 1;
  }
  unsigned long long packets = 0, bytes = 0;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc;
  while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
    ++packets;
    bytes += hdr->caplen;
  }
  if (rc == PCAP_ERROR) {
    std::fprintf(stderr, "readfloor: %s\n", pcap_geterr(p));
    pcap_close(p);
    return 1;
  }
  pcap_close(p);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("readfloor: %llu packets, %llu captured bytes in %.3f s\n", packets, bytes,
              secs);
  return 0;
}
