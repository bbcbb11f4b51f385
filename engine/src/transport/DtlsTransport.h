#pragma once
// DTLS for one endpoint (RFC 5763/5764, RFC 6347) on a datagram BIO of our own: no socket, the
// owner hands datagrams in (receive) and gets them out (Callbacks::send).

#include "transport/DtlsContext.h"
#include "transport/SrtpSession.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pw::transport {

enum class DtlsRole { Client, Server };  // Client = a=setup:active side, sends the ClientHello

// Single-threaded: every call on the owner's thread (an event loop). Callbacks run synchronously
// from inside those calls but never from inside OpenSSL, so a callback may call back into the
// transport: receive() from a callback is queued and handled by the receive() already running,
// and a callback may destroy the transport (nothing touches it after that callback returns).
class DtlsTransport {
 public:
  enum class State { New, Connecting, Connected, Failed, Closed };
  // "NEW", "CONNECTING", "CONNECTED", "FAILED", "CLOSED" (Kurento's DtlsConnectionState names).
  static const char* stateName(State s);

  struct Callbacks {
    std::function<void(const uint8_t* data, size_t size)> send;             // one datagram to the network
    std::function<void(const SrtpKeys& keys)> connected;                   // handshake done, fingerprint verified
    std::function<void(const std::string& reason)> failed;                 // handshake error / bad fingerprint / timeout
    std::function<void()> closed;                                          // peer sent close_notify
    std::function<void(const uint8_t* data, size_t size)> applicationData;  // (future SCTP) decrypted app data
  };

  struct Options {
    size_t mtuBytes = 1200;              // largest datagram handed to `send` (records are packed up to it)
    int initialRetransmitMs = 100;       // first retransmission timeout of a flight; doubles after each
    int maxRetransmitIntervalMs = 3000;  // cap of the doubling
    int maxRetransmits = 8;              // retransmissions of handshake flights before failing
    int handshakeTimeoutMs = 30000;      // start() to connected, whatever happens in between
  };

  struct HandshakeStats {
    int flightsSent = 0;         // handshake flights sent, retransmissions included (a Client that
                                 // gets its answers connects after 2: ClientHello, then Certificate…Finished)
    int retransmits = 0;         // of those, sent again by handleTimeout
    int datagramsSent = 0;       // datagrams of those flights
    int64_t durationUs = -1;     // start() to connected; -1 until connected
  };

  // remoteFingerprintAlgorithm: SDP hash name, "sha-256" (also sha-1/sha-224/sha-384/sha-512);
  // remoteFingerprint: "AB:CD:…" as in the remote SDP, case-insensitive. An empty fingerprint
  // means "not known yet": the handshake runs, and connected waits for setRemoteFingerprint().
  DtlsTransport(std::shared_ptr<DtlsContext> context, DtlsRole role, std::string remoteFingerprintAlgorithm,
                std::string remoteFingerprint, Callbacks callbacks);
  DtlsTransport(std::shared_ptr<DtlsContext> context, DtlsRole role, std::string remoteFingerprintAlgorithm,
                std::string remoteFingerprint, Callbacks callbacks, Options options);
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // Client: sends the ClientHello; Server: handles what receive() queued before and waits.
  // The handshake deadline starts here. A setup error (bad context, unknown fingerprint
  // algorithm) is reported here through `failed`.
  void start();
  // One DTLS record datagram from the network. Before start() it is queued (a few) for start().
  void receive(const uint8_t* data, size_t size);
  // For a transport made before the remote SDP arrived; checked at once if the handshake is done.
  void setRemoteFingerprint(std::string algorithm, std::string fingerprint);
  // Milliseconds until handleTimeout() must be called (retransmission or handshake deadline),
  // or -1 when none is pending.
  int timeoutMs() const;
  // Retransmits the last flight when its timer ran out (DTLSv1_handle_timeout); fails once the
  // handshake deadline passed or after Options::maxRetransmits retransmissions.
  void handleTimeout();
  // One record of application data (at most 16384 bytes); false unless Connected.
  bool sendApplicationData(const uint8_t* data, size_t size);
  // Sends close_notify when Connected; the transport is Closed afterwards (no callback).
  void close();

  State state() const { return state_; }
  DtlsRole role() const { return role_; }
  const std::string& failureReason() const { return failureReason_; }  // set when Failed
  const HandshakeStats& handshakeStats() const { return stats_; }
  uint64_t droppedDatagrams() const { return droppedDatagrams_; }       // inbound, queue full

  // RFC 7983 demultiplexing: first byte 20..63 is DTLS.
  static bool isDtls(const uint8_t* data, size_t size);

 private:
  // What the datagram BIO reads from and writes to.
  struct Datagrams {
    std::deque<std::vector<uint8_t>> inbound;       // from receive(), one datagram each
    std::vector<std::vector<uint8_t>> outbound;     // complete datagrams for `send`
    std::vector<uint8_t> pending;                   // records being packed into the next datagram
    size_t mtuBytes = 1200;
  };
  enum class Step { Ran, Idle, Destroyed };
  struct SslDeleter {
    void operator()(SSL* ssl) const;
  };

  static BIO_METHOD* datagramBioMethod();
  static int bioWrite(BIO* bio, const char* data, int size);
  static int bioRead(BIO* bio, char* data, int size);
  static long bioCtrl(BIO* bio, int command, long number, void* pointer);
  static int bioCreate(BIO* bio);
  static int verifyCallback(int preverifyOk, X509_STORE_CTX* store);
  static unsigned int timerCallback(SSL* ssl, unsigned int previousUs);

  void storeRemoteFingerprint(std::string algorithm, std::string fingerprint);
  bool remoteFingerprintMatches(X509* certificate) const;
  std::string fingerprintFailure() const;
  std::string describeSslError(int sslError);
  void pump(bool stepOnce);
  Step advance();
  Step completeConnection();
  Step readApplicationData();
  bool flushOutput();  // false when a callback destroyed the transport
  bool fail(const std::string& reason);
  template <typename Callback, typename... Args>
  bool invoke(const Callback& callback, Args&&... args);

  std::shared_ptr<DtlsContext> context_;  // outlives ssl_ (declared before it)
  DtlsRole role_;
  Options options_;
  Callbacks callbacks_;
  std::string remoteAlgorithm_;
  std::string remoteFingerprint_;  // uppercase, no spaces; empty = not known yet
  std::string setupError_;
  Datagrams datagrams_;            // outlives the BIO that points at it (declared before ssl_)
  std::unique_ptr<SSL, SslDeleter> ssl_;
  std::vector<uint8_t> readBuffer_;
  State state_ = State::New;
  bool handshakeDone_ = false;     // OpenSSL finished; Connected once the fingerprint matched
  bool fingerprintRejected_ = false;
  bool busy_ = false;              // inside pump(): receive() only queues
  bool stepRequested_ = false;
  std::string failureReason_;
  HandshakeStats stats_;
  uint64_t droppedDatagrams_ = 0;
  std::chrono::steady_clock::time_point startedAt_{};
  std::chrono::steady_clock::time_point deadline_{};
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);  // expires with the transport
};

}  // namespace pw::transport
