#pragma once
// SRTP/SRTCP for one endpoint (RFC 3711, RFC 7714 for AEAD) with libsrtp2, keyed by the DTLS-SRTP
// export (RFC 5764 §4.2). Two libsrtp sessions: one outbound (our key, any SSRC we send) and one
// inbound (the peer's key, any SSRC it sends).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct srtp_ctx_t_;  // libsrtp2's session (srtp_t); the header stays out of ours.

namespace pw::transport {

// DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2).
enum class SrtpProfile { Aes128CmSha1_80, Aes128CmSha1_32, AeadAes128Gcm };

// The keys of one DTLS-SRTP association (RFC 5764 §4.2), seen from one side.
struct SrtpKeys {
  SrtpProfile profile = SrtpProfile::Aes128CmSha1_80;
  std::vector<uint8_t> localMasterKeySalt;   // key||salt we protect with
  std::vector<uint8_t> remoteMasterKeySalt;  // key||salt we unprotect with
};

// "SRTP_AES128_CM_SHA1_80" etc.: the use_srtp / OpenSSL name of a profile.
const char* srtpProfileName(SrtpProfile profile);

// SRTP/SRTCP for one endpoint. srtp_init() runs exactly once per process (std::call_once).
// Outbound: ssrc_any_outbound, allow_repeat_tx = 1 (re-protecting a NACKed packet with the same
// sequence number works). Inbound: ssrc_any_inbound, replay window 1024 packets.
// Thread-compatible: one thread at a time (the caller serialises); the counters may be read from
// any thread.
class SrtpSession {
 public:
  // Spare room protect needs after the packet: libsrtp's SRTP_MAX_TRAILER_LEN (144) plus the
  // 4-byte SRTCP index that protect_rtcp appends; one constant for both so a buffer sized with it
  // fits either kind.
  static constexpr size_t kMaxTrailer = 148;
  static constexpr unsigned long kReplayWindowPackets = 1024;

  // nullptr and *error set when the keys have the wrong length for the profile or libsrtp refuses
  // them (e.g. a profile its crypto backend lacks).
  static std::unique_ptr<SrtpSession> create(const SrtpKeys& keys, std::string* error);

  // Whether this process's libsrtp2 can run the profile (AES-GCM depends on its crypto backend).
  // Probed once per process; DtlsContext offers only supported profiles.
  static bool isProfileSupported(SrtpProfile profile);
  static size_t masterKeyLength(SrtpProfile profile);   // bytes: 16 for all three
  static size_t masterSaltLength(SrtpProfile profile);  // bytes: 14 (AES-CM), 12 (AEAD)
  // Bytes protect adds to a packet of this profile (auth tag; SRTCP also its 4-byte index).
  static size_t rtpTrailerLength(SrtpProfile profile);
  static size_t rtcpTrailerLength(SrtpProfile profile);

  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // In place. `size` in: packet length, out: new length. protect* needs capacity >= size + kMaxTrailer.
  // false (size untouched) on a malformed packet or too little capacity.
  bool protectRtp(uint8_t* data, size_t* size, size_t capacity);
  // false (size untouched) on auth failure or replay; the bytes are then libsrtp's to have touched.
  bool unprotectRtp(uint8_t* data, size_t* size);
  bool protectRtcp(uint8_t* data, size_t* size, size_t capacity);
  bool unprotectRtcp(uint8_t* data, size_t* size);

  SrtpProfile profile() const { return profile_; }
  // Packets rejected by unprotect (auth failure, replay, malformed), by kind.
  uint64_t rtpRejected() const { return rtpRejected_.load(std::memory_order_relaxed); }
  uint64_t rtcpRejected() const { return rtcpRejected_.load(std::memory_order_relaxed); }
  // Of those, the ones rejected as replays (duplicate or older than the window): normal on a
  // network that duplicates, unlike auth failures.
  uint64_t rtpReplayed() const { return rtpReplayed_.load(std::memory_order_relaxed); }
  uint64_t rtcpReplayed() const { return rtcpReplayed_.load(std::memory_order_relaxed); }

 private:
  struct SrtpDeleter {
    void operator()(srtp_ctx_t_* session) const;
  };
  using SrtpOwner = std::unique_ptr<srtp_ctx_t_, SrtpDeleter>;

  SrtpSession(SrtpProfile profile, SrtpOwner outbound, SrtpOwner inbound);

  SrtpProfile profile_;
  SrtpOwner outbound_;
  SrtpOwner inbound_;
  std::atomic<uint64_t> rtpRejected_{0};
  std::atomic<uint64_t> rtcpRejected_{0};
  std::atomic<uint64_t> rtpReplayed_{0};
  std::atomic<uint64_t> rtcpReplayed_{0};
};

}  // namespace pw::transport
