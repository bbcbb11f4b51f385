#include "TransportWarmUp.h"

#include "DtlsTransport.h"
#include "IceAgent.h"
#include "SrtpSession.h"

#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace pw::transport {

namespace {

using Datagram = std::vector<uint8_t>;

}  // namespace

void TransportWarmUp::start(MediaLoop& loop, std::shared_ptr<DtlsContext> context) {
  if (!context) return;
  loop.post([&loop, context = std::move(context)] { (void)run(loop, context); });
}

bool TransportWarmUp::run(MediaLoop& loop, const std::shared_ptr<DtlsContext>& context) {
  // libnice: the first agent registers its GObject types and reads the system's settings.
  {
    IceAgent::Callbacks none;
    IceAgent agent(loop, IceAgent::Settings{}, std::move(none));
    std::string error;
    (void)agent.start(&error);
  }
  // DTLS: a client and a server with the process's certificate, datagrams passed by hand.
  const std::string fingerprint = context->fingerprintSha256();
  std::deque<Datagram> toServer, toClient;
  std::optional<SrtpKeys> clientKeys, serverKeys;
  bool failed = false;
  DtlsTransport::Callbacks clientCallbacks;
  clientCallbacks.send = [&](const uint8_t* data, size_t size) { toServer.emplace_back(data, data + size); };
  clientCallbacks.connected = [&](const SrtpKeys& keys) { clientKeys = keys; };
  clientCallbacks.failed = [&](const std::string&) { failed = true; };
  DtlsTransport::Callbacks serverCallbacks;
  serverCallbacks.send = [&](const uint8_t* data, size_t size) { toClient.emplace_back(data, data + size); };
  serverCallbacks.connected = [&](const SrtpKeys& keys) { serverKeys = keys; };
  serverCallbacks.failed = [&](const std::string&) { failed = true; };
  DtlsTransport client(context, DtlsRole::Client, "sha-256", fingerprint, std::move(clientCallbacks));
  DtlsTransport server(context, DtlsRole::Server, "sha-256", fingerprint, std::move(serverCallbacks));
  server.start();
  client.start();
  for (int round = 0; round < 32 && !failed && !(clientKeys && serverKeys); ++round) {
    if (toServer.empty() && toClient.empty()) break;
    while (!toServer.empty()) {
      const Datagram d = std::move(toServer.front());
      toServer.pop_front();
      server.receive(d.data(), d.size());
    }
    while (!toClient.empty()) {
      const Datagram d = std::move(toClient.front());
      toClient.pop_front();
      client.receive(d.data(), d.size());
    }
  }
  if (!clientKeys || !serverKeys) return false;
  // SRTP: srtp_init and one packet each way of the negotiated profile.
  std::string error;
  auto sender = SrtpSession::create(*clientKeys, &error);
  auto receiver = SrtpSession::create(*serverKeys, &error);
  if (!sender || !receiver) return false;
  uint8_t packet[12 + 100 + SrtpSession::kMaxTrailer] = {0x80, 96, 0, 1, 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78};
  size_t size = 12 + 100;
  if (!sender->protectRtp(packet, &size, sizeof packet)) return false;
  return receiver->unprotectRtp(packet, &size) && size == 12 + 100;
}

}  // namespace pw::transport
