#pragma once

// Pays, once at startup, what the first WebRTC session of a process would otherwise pay on its
// way to the first frame (bench/: the first session's ICE + DTLS took about twice a later one's):
// OpenSSL's first DTLS handshake (providers, EC code), libsrtp's srtp_init and its first keys,
// libnice's first agent. Runs on a media thread, between two in-memory endpoints: nothing is sent
// on any network.

#include "DtlsContext.h"
#include "MediaLoop.h"

#include <memory>

namespace pw::transport {

class TransportWarmUp {
 public:
  // Runs the warm-up on `loop`'s thread (queued; returns at once). False afterwards means a
  // step failed there; the first real session then reports the same error itself.
  static void start(MediaLoop& loop, std::shared_ptr<DtlsContext> context);

  // The steps, on the calling thread (the unit test calls it directly). True when the in-memory
  // handshake connected and an SRTP packet went through protect/unprotect.
  static bool run(MediaLoop& loop, const std::shared_ptr<DtlsContext>& context);
};

}  // namespace pw::transport
