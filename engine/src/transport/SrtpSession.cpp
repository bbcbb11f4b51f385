#include "transport/SrtpSession.h"

#include <srtp2/srtp.h>

#include <array>
#include <climits>
#include <cstring>
#include <mutex>

namespace pw::transport {

static_assert(SrtpSession::kMaxTrailer == SRTP_MAX_TRAILER_LEN + 4, "SRTP trailer plus the SRTCP index");

namespace {

constexpr std::array<SrtpProfile, 3> kAllProfiles{SrtpProfile::Aes128CmSha1_80, SrtpProfile::Aes128CmSha1_32,
                                                  SrtpProfile::AeadAes128Gcm};

size_t profileIndex(SrtpProfile profile) { return static_cast<size_t>(profile); }

// libsrtp's process-wide state: srtp_init() once, and which profiles its crypto backend can run
// (probed inside the same once, which also gets the backend's own lazy initialisation done before
// any two threads can race on it).
struct SrtpLibrary {
  srtp_err_status_t initStatus = srtp_err_status_fail;
  std::array<bool, kAllProfiles.size()> supported{};
};

void setPolicy(SrtpProfile profile, srtp_policy_t* policy) {
  switch (profile) {
    case SrtpProfile::Aes128CmSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
      break;
    case SrtpProfile::Aes128CmSha1_32:
      // RFC 5764 §4.1.2: the 32-bit tag is for SRTP only; SRTCP keeps the 80-bit one.
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy->rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
      break;
    case SrtpProfile::AeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtcp);
      break;
  }
}

// One libsrtp session with a wildcard-SSRC policy. keyAndSalt must hold key||salt for the profile.
srtp_err_status_t createSession(SrtpProfile profile, srtp_ssrc_type_t direction, const std::vector<uint8_t>& keyAndSalt,
                                srtp_t* session) {
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  setPolicy(profile, &policy);
  policy.ssrc.type = direction;
  policy.ssrc.value = 0;
  // libsrtp copies the key into its own context during srtp_create; it never writes through it.
  policy.key = const_cast<unsigned char*>(keyAndSalt.data());
  policy.window_size = SrtpSession::kReplayWindowPackets;
  policy.allow_repeat_tx = direction == ssrc_any_outbound ? 1 : 0;
  policy.next = nullptr;
  *session = nullptr;
  return srtp_create(session, &policy);
}

const SrtpLibrary& library() {
  static SrtpLibrary state;
  static std::once_flag once;
  std::call_once(once, [] {
    state.initStatus = srtp_init();
    // A second srtp_init() in a process answers bad_param (its debug module is loaded already)
    // though the library is ready: GStreamer's srtp plugin may have been first. The probes tell.
    if (state.initStatus != srtp_err_status_ok && state.initStatus != srtp_err_status_bad_param) return;
    for (SrtpProfile profile : kAllProfiles) {
      const std::vector<uint8_t> probeKey(SrtpSession::masterKeyLength(profile) + SrtpSession::masterSaltLength(profile),
                                          0x5a);
      srtp_t session = nullptr;
      const bool ok = createSession(profile, ssrc_any_outbound, probeKey, &session) == srtp_err_status_ok;
      if (session) srtp_dealloc(session);
      state.supported[profileIndex(profile)] = ok;
    }
    if (state.supported[profileIndex(SrtpProfile::Aes128CmSha1_80)]) state.initStatus = srtp_err_status_ok;
  });
  return state;
}

const char* statusName(srtp_err_status_t status) {
  switch (status) {
    case srtp_err_status_ok: return "ok";
    case srtp_err_status_bad_param: return "bad parameter";
    case srtp_err_status_alloc_fail: return "allocation failure";
    case srtp_err_status_init_fail: return "initialisation failure";
    case srtp_err_status_auth_fail: return "authentication failure";
    case srtp_err_status_cipher_fail: return "cipher failure";
    case srtp_err_status_replay_fail: return "replay";
    case srtp_err_status_replay_old: return "replay (older than the window)";
    case srtp_err_status_algo_fail: return "algorithm self-test failure";
    case srtp_err_status_no_such_op: return "unsupported operation";
    default: return "libsrtp error";
  }
}

bool isReplay(srtp_err_status_t status) {
  return status == srtp_err_status_replay_fail || status == srtp_err_status_replay_old;
}

// srtp_protect / srtp_protect_rtcp in place; the length changes only on success.
template <srtp_err_status_t (*Protect)(srtp_t, void*, int*)>
bool protectPacket(srtp_t session, uint8_t* data, size_t* size, size_t capacity) {
  if (!data || !size || *size > INT_MAX - SrtpSession::kMaxTrailer || capacity < *size + SrtpSession::kMaxTrailer) {
    return false;
  }
  int length = static_cast<int>(*size);
  if (Protect(session, data, &length) != srtp_err_status_ok) return false;
  *size = static_cast<size_t>(length);
  return true;
}

// srtp_unprotect / srtp_unprotect_rtcp in place, counting what is turned away.
template <srtp_err_status_t (*Unprotect)(srtp_t, void*, int*)>
bool unprotectPacket(srtp_t session, uint8_t* data, size_t* size, std::atomic<uint64_t>& rejected,
                     std::atomic<uint64_t>& replayed) {
  const srtp_err_status_t status = [&] {
    if (!data || !size || *size > INT_MAX) return srtp_err_status_bad_param;
    int length = static_cast<int>(*size);
    const srtp_err_status_t result = Unprotect(session, data, &length);
    if (result == srtp_err_status_ok) *size = static_cast<size_t>(length);
    return result;
  }();
  if (status == srtp_err_status_ok) return true;
  rejected.fetch_add(1, std::memory_order_relaxed);
  if (isReplay(status)) replayed.fetch_add(1, std::memory_order_relaxed);
  return false;
}

}  // namespace

const char* srtpProfileName(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::Aes128CmSha1_80: return "SRTP_AES128_CM_SHA1_80";
    case SrtpProfile::Aes128CmSha1_32: return "SRTP_AES128_CM_SHA1_32";
    case SrtpProfile::AeadAes128Gcm: return "SRTP_AEAD_AES_128_GCM";
  }
  return "unknown";
}

size_t SrtpSession::masterKeyLength(SrtpProfile) { return SRTP_AES_128_KEY_LEN; }

size_t SrtpSession::masterSaltLength(SrtpProfile profile) {
  return profile == SrtpProfile::AeadAes128Gcm ? SRTP_AEAD_SALT_LEN : SRTP_SALT_LEN;
}

size_t SrtpSession::rtpTrailerLength(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::Aes128CmSha1_80: return 10;
    case SrtpProfile::Aes128CmSha1_32: return 4;
    case SrtpProfile::AeadAes128Gcm: return 16;
  }
  return 16;
}

size_t SrtpSession::rtcpTrailerLength(SrtpProfile profile) {
  // SRTCP index (E flag + 31 bits) then the tag; _32 uses the 80-bit tag for SRTCP.
  return 4 + (profile == SrtpProfile::AeadAes128Gcm ? 16 : 10);
}

bool SrtpSession::isProfileSupported(SrtpProfile profile) {
  const SrtpLibrary& state = library();
  return state.initStatus == srtp_err_status_ok && state.supported[profileIndex(profile)];
}

void SrtpSession::SrtpDeleter::operator()(srtp_ctx_t_* session) const { srtp_dealloc(session); }

SrtpSession::SrtpSession(SrtpProfile profile, SrtpOwner outbound, SrtpOwner inbound)
    : profile_(profile), outbound_(std::move(outbound)), inbound_(std::move(inbound)) {}

SrtpSession::~SrtpSession() = default;

std::unique_ptr<SrtpSession> SrtpSession::create(const SrtpKeys& keys, std::string* error) {
  auto setError = [error](std::string text) {
    if (error) *error = std::move(text);
  };
  const SrtpLibrary& state = library();
  if (state.initStatus != srtp_err_status_ok) {
    setError(std::string("srtp_init failed: ") + statusName(state.initStatus));
    return nullptr;
  }
  const size_t expected = masterKeyLength(keys.profile) + masterSaltLength(keys.profile);
  if (keys.localMasterKeySalt.size() != expected || keys.remoteMasterKeySalt.size() != expected) {
    setError(std::string(srtpProfileName(keys.profile)) + " needs " + std::to_string(expected) +
             "-byte master key||salt (local " + std::to_string(keys.localMasterKeySalt.size()) + ", remote " +
             std::to_string(keys.remoteMasterKeySalt.size()) + ")");
    return nullptr;
  }
  srtp_t raw = nullptr;
  srtp_err_status_t status = createSession(keys.profile, ssrc_any_outbound, keys.localMasterKeySalt, &raw);
  SrtpOwner outbound(raw);
  if (status != srtp_err_status_ok) {
    setError(std::string("libsrtp refused the outbound ") + srtpProfileName(keys.profile) + " policy: " + statusName(status));
    return nullptr;
  }
  raw = nullptr;
  status = createSession(keys.profile, ssrc_any_inbound, keys.remoteMasterKeySalt, &raw);
  SrtpOwner inbound(raw);
  if (status != srtp_err_status_ok) {
    setError(std::string("libsrtp refused the inbound ") + srtpProfileName(keys.profile) + " policy: " + statusName(status));
    return nullptr;
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(keys.profile, std::move(outbound), std::move(inbound)));
}

bool SrtpSession::protectRtp(uint8_t* data, size_t* size, size_t capacity) {
  return protectPacket<srtp_protect>(outbound_.get(), data, size, capacity);
}

bool SrtpSession::unprotectRtp(uint8_t* data, size_t* size) {
  return unprotectPacket<srtp_unprotect>(inbound_.get(), data, size, rtpRejected_, rtpReplayed_);
}

bool SrtpSession::protectRtcp(uint8_t* data, size_t* size, size_t capacity) {
  return protectPacket<srtp_protect_rtcp>(outbound_.get(), data, size, capacity);
}

bool SrtpSession::unprotectRtcp(uint8_t* data, size_t* size) {
  return unprotectPacket<srtp_unprotect_rtcp>(inbound_.get(), data, size, rtcpRejected_, rtcpReplayed_);
}

}  // namespace pw::transport
