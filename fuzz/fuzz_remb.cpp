// libFuzzer target: the REMB feedback (FCI) parser of the RTP endpoints, Remb::parseFci, which
// reads what a peer sends in RTCP PSFB/AFB packets. Input: the FCI bytes. Besides the
// sanitizers, the result must be the bitrate the packet states (mantissa * 2^exp), clamped to
// INT_MAX, and -1 exactly when the packet is no REMB.

#include "elements/webrtc/Remb.h"

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const qint64 bps = pw::Remb::parseFci(data, size);
  const bool isRemb = size >= 8 && data[0] == 'R' && data[1] == 'E' && data[2] == 'M' && data[3] == 'B';
  qint64 expected = -1;
  if (isRemb) {
    const int exp = data[5] >> 2;
    const long double exact = static_cast<long double>((quint64(data[5] & 0x3) << 16) | (quint64(data[6]) << 8) | data[7]) *
                              static_cast<long double>(1ULL << (exp / 2)) * static_cast<long double>(1ULL << (exp - exp / 2));
    expected = exact >= static_cast<long double>(INT_MAX) ? INT_MAX : static_cast<qint64>(exact);
  }
  if (bps != expected) {
    std::fprintf(stderr, "fuzz_remb: parseFci gave %lld for a REMB stating %lld bps\n", static_cast<long long>(bps),
                 static_cast<long long>(expected));
    std::abort();
  }
  return 0;
}
