#include "IceAgent.h"

#include "MediaPortFilter.h"
#include "gst/GCharPtr.h"
#include "gst/GLibOwners.h"
#include "gst/NiceCandidatePtr.h"

#include <arpa/inet.h>
#include <openssl/rand.h>

#include <algorithm>
#include <utility>

namespace pw::transport {

namespace {

// ICE credentials (RFC 8839 §5.4): ufrag ≥ 4, password ≥ 22 ice-chars; random from OpenSSL.
std::string randomIceChars(size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<unsigned char> bytes(length);
  RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string out;
  out.reserve(length);
  for (unsigned char b : bytes) out.push_back(kAlphabet[b % 64]);
  return out;
}

IceAgent::State fromNice(guint state) {
  switch (state) {
    case NICE_COMPONENT_STATE_GATHERING: return IceAgent::State::Gathering;
    case NICE_COMPONENT_STATE_CONNECTING: return IceAgent::State::Connecting;
    case NICE_COMPONENT_STATE_CONNECTED: return IceAgent::State::Connected;
    case NICE_COMPONENT_STATE_READY: return IceAgent::State::Ready;
    case NICE_COMPONENT_STATE_FAILED: return IceAgent::State::Failed;
    default: return IceAgent::State::Disconnected;
  }
}

}  // namespace

const char* IceAgent::stateName(State s) {
  switch (s) {
    case State::Gathering: return "GATHERING";
    case State::Connecting: return "CONNECTING";
    case State::Connected: return "CONNECTED";
    case State::Ready: return "READY";
    case State::Failed: return "FAILED";
    case State::Disconnected: break;
  }
  return "DISCONNECTED";
}

IceAgent::IceAgent(MediaLoop& loop, Settings settings, Callbacks callbacks)
    : loop_(loop), settings_(std::move(settings)), callbacks_(std::move(callbacks)), ufrag_(randomIceChars(8)),
      password_(randomIceChars(24)) {}

IceAgent::~IceAgent() {
  handlers_.clear();
  if (agent_ && stream_) {
    nice_agent_attach_recv(agent_.get(), stream_, 1, loop_.context(), nullptr, nullptr);
    nice_agent_remove_stream(agent_.get(), stream_);
  }
}

bool IceAgent::start(std::string* error) {
  // Consent freshness (RFC 7675, required for WebRTC): a peer that stops answering for 30 s
  // turns the component FAILED, so an endpoint notices a vanished peer (IceComponentStateChanged)
  // and stops sending to an address that no longer wants the media.
  agent_.reset(nice_agent_new_full(loop_.context(), NICE_COMPATIBILITY_RFC5245,
                                   static_cast<NiceAgentOption>(NICE_AGENT_OPTION_ICE_TRICKLE | NICE_AGENT_OPTION_CONSENT_FRESHNESS)));
  if (!agent_) {
    if (error) *error = "libnice could not create an ICE agent";
    return false;
  }
  // Media stays on the configured addresses: no UPnP port mapping (SSDP multicast), no TCP
  // unless asked for.
  g_object_set(agent_.get(), "upnp", FALSE, "controlling-mode", settings_.controlling ? TRUE : FALSE, "ice-tcp",
               settings_.tcp ? TRUE : FALSE, "ice-udp", TRUE, nullptr);
  if (!settings_.stunServer.empty()) {
    g_object_set(agent_.get(), "stun-server", settings_.stunServer.c_str(), "stun-server-port", settings_.stunPort, nullptr);
  }
  for (const auto& a : settings_.localAddresses) {
    NiceAddress address;
    nice_address_init(&address);
    if (nice_address_set_from_string(&address, a.c_str())) nice_agent_add_local_address(agent_.get(), &address);
  }
  stream_ = nice_agent_add_stream(agent_.get(), 1);
  if (stream_ == 0) {
    if (error) *error = "libnice could not add a stream";
    return false;
  }
  if (settings_.minPort > 0 && settings_.maxPort >= settings_.minPort) {
    nice_agent_set_port_range(agent_.get(), stream_, 1, settings_.minPort, settings_.maxPort);
  }
  if (!settings_.turnServer.empty()) {
    nice_agent_set_relay_info(agent_.get(), stream_, 1, settings_.turnServer.c_str(), settings_.turnPort,
                              settings_.turnUser.c_str(), settings_.turnPassword.c_str(), NICE_RELAY_TYPE_TURN_UDP);
  }
  nice_agent_set_local_credentials(agent_.get(), stream_, ufrag_.c_str(), password_.c_str());
  // `this` owns the agent and disconnects these before it goes (handlers_), all on the loop thread.
  handlers_.push_back(SignalConnection::connect(agent_.get(), "new-candidate-full", G_CALLBACK(onCandidate), this, nullptr));
  handlers_.push_back(SignalConnection::connect(agent_.get(), "candidate-gathering-done", G_CALLBACK(onGatheringDone), this, nullptr));
  handlers_.push_back(SignalConnection::connect(agent_.get(), "component-state-changed", G_CALLBACK(onComponentState), this, nullptr));
  handlers_.push_back(SignalConnection::connect(agent_.get(), "new-selected-pair-full", G_CALLBACK(onSelectedPair), this, nullptr));
  nice_agent_attach_recv(agent_.get(), stream_, 1, loop_.context(), onReceive, this);
  return true;
}

bool IceAgent::gather() {
  if (!agent_ || !nice_agent_gather_candidates(agent_.get(), stream_)) return false;
  filterSockets(0, 0);  // the host sockets exist now
  return true;
}

int IceAgent::filterSockets(uint32_t peerAddress, uint16_t peerPort) {
  PtrArrayPtr sockets = PtrArrayPtr::adopt(nice_agent_get_sockets(agent_.get(), stream_, 1));
  if (!sockets) return 0;
  int filtered = 0;
  const auto program = MediaPortFilter::build(ufrag_, peerAddress, peerPort);
  for (guint i = 0; i < sockets->len; ++i) {
    auto* socket = static_cast<GSocket*>(g_ptr_array_index(sockets.get(), i));
    if (g_socket_get_family(socket) != G_SOCKET_FAMILY_IPV4 || g_socket_get_socket_type(socket) != G_SOCKET_TYPE_DATAGRAM) continue;
    // Refused (an unusual kernel): libnice's own checks still apply, only the cost differs.
    filtered += MediaPortFilter::attach(g_socket_get_fd(socket), program) ? 1 : 0;
  }
  filteredSockets_ = filtered;
  return filtered;
}

void IceAgent::setRemoteCredentials(const std::string& ufrag, const std::string& password) {
  if (!agent_) return;
  nice_agent_set_remote_credentials(agent_.get(), stream_, ufrag.c_str(), password.c_str());
  remoteCredentialsSet_ = true;
  for (const auto& line : std::exchange(pendingRemote_, {})) addRemoteCandidate(line);
}

bool IceAgent::restart(const std::string& localUfrag, const std::string& localPassword, const std::string& remoteUfrag,
                       const std::string& remotePassword) {
  if (!agent_ || !nice_agent_restart_stream(agent_.get(), stream_)) return false;
  ufrag_ = localUfrag;
  password_ = localPassword;
  if (!nice_agent_set_local_credentials(agent_.get(), stream_, ufrag_.c_str(), password_.c_str())) return false;
  remoteCredentialsSet_ = false;
  pendingRemote_.clear();
  setRemoteCredentials(remoteUfrag, remotePassword);
  filterSockets(0, 0);  // the kernel filter checks our ufrag, and the peer may come from elsewhere now
  return true;
}

bool IceAgent::addRemoteCandidate(const std::string& line) {
  if (!agent_) return false;
  std::string text = line.rfind("a=", 0) == 0 ? line.substr(2) : line;
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.rfind("candidate:", 0) != 0 || text.size() > 1024) return false;
  // libnice parses the attribute form ("a=candidate:…").
  NiceCandidatePtr candidate = NiceCandidatePtr::adopt(nice_agent_parse_remote_candidate_sdp(agent_.get(), stream_, ("a=" + text).c_str()));
  if (!candidate) return false;
  if (candidate->component_id != 1) return true;  // RTCP component: rtcp-mux makes it unused
  if (!remoteCredentialsSet_) {
    pendingRemote_.push_back(text);
    return true;
  }
  GSList one{candidate.get(), nullptr};  // the agent copies what it keeps
  nice_agent_set_remote_candidates(agent_.get(), stream_, 1, &one);
  return true;
}

void IceAgent::remoteGatheringDone() {
  if (agent_) nice_agent_peer_candidate_gathering_done(agent_.get(), stream_);
}

bool IceAgent::send(const uint8_t* data, size_t size) {
  if (!agent_ || (state_ != State::Connected && state_ != State::Ready)) return false;
  return nice_agent_send(agent_.get(), stream_, 1, static_cast<guint>(size), reinterpret_cast<const gchar*>(data)) >= 0;
}

int IceAgent::socketCount() const {
  if (!agent_) return 0;
  PtrArrayPtr sockets = PtrArrayPtr::adopt(nice_agent_get_sockets(agent_.get(), stream_, 1));
  return sockets ? static_cast<int>(sockets->len) : 0;
}

std::string IceAgent::candidateLine(NiceCandidate* candidate) const {
  GCharPtr text = GCharPtr::adopt(nice_agent_generate_local_candidate_sdp(agent_.get(), candidate));
  std::string line = text ? text.get() : "";
  if (line.rfind("a=", 0) == 0) line = line.substr(2);
  return line;
}

void IceAgent::onReceive(NiceAgent*, guint, guint, guint len, gchar* buf, gpointer self) {
  auto* agent = static_cast<IceAgent*>(self);
  if (agent->callbacks_.received) agent->callbacks_.received(reinterpret_cast<const uint8_t*>(buf), len);
}

void IceAgent::onCandidate(NiceAgent*, NiceCandidate* candidate, gpointer self) {
  auto* agent = static_cast<IceAgent*>(self);
  if (candidate->component_id != 1 || !agent->callbacks_.localCandidate) return;
  agent->callbacks_.localCandidate(agent->candidateLine(candidate));
}

void IceAgent::onGatheringDone(NiceAgent*, guint, gpointer self) {
  auto* agent = static_cast<IceAgent*>(self);
  if (agent->callbacks_.gatheringDone) agent->callbacks_.gatheringDone();
}

void IceAgent::onComponentState(NiceAgent*, guint, guint component, guint state, gpointer self) {
  auto* agent = static_cast<IceAgent*>(self);
  if (component != 1) return;
  const State s = fromNice(state);
  if (s == agent->state_) return;
  agent->state_ = s;
  if (agent->callbacks_.stateChanged) agent->callbacks_.stateChanged(s);
}

void IceAgent::onSelectedPair(NiceAgent*, guint, guint component, NiceCandidate* local, NiceCandidate* remote, gpointer self) {
  auto* agent = static_cast<IceAgent*>(self);
  if (component != 1) return;
  // From now on non-STUN datagrams count only from the peer's address. Not through TURN (the
  // relay's datagrams come from the server) and not for IPv6 or TCP: there the socket keeps the
  // STUN-only filter.
  const bool direct = local->type != NICE_CANDIDATE_TYPE_RELAYED && remote->transport == NICE_CANDIDATE_TRANSPORT_UDP &&
                      nice_address_ip_version(&remote->addr) == 4;
  agent->filterSockets(direct ? ntohl(remote->addr.s.ip4.sin_addr.s_addr) : 0,
                       direct ? static_cast<uint16_t>(nice_address_get_port(&remote->addr)) : 0);
  if (!agent->callbacks_.selectedPair) return;
  agent->callbacks_.selectedPair(agent->candidateLine(local), agent->candidateLine(remote));
}

}  // namespace pw::transport
