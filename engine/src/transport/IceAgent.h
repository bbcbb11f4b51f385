#pragma once

// ICE for one WebRTC endpoint with libnice (RFC 8445, trickle RFC 8838): one stream, one
// component (BUNDLE and rtcp-mux are required on the lean path), on its media loop's context.
// Every method except the constructor and localUfrag()/localPassword() runs on the loop's thread;
// the callbacks are invoked there too.

#include "MediaLoop.h"
#include "gst/GObjectPtr.h"
#include "gst/SignalConnection.h"

#include <nice/agent.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pw::transport {

class IceAgent {
 public:
  enum class State { Disconnected, Gathering, Connecting, Connected, Ready, Failed };
  struct Settings {
    bool controlling = false;                 // the offerer controls (RFC 8445 §6.1.1)
    std::vector<std::string> localAddresses;  // empty: every interface libnice finds (not loopback)
    std::string stunServer;                   // IP address; empty: none
    unsigned stunPort = 3478;
    std::string turnServer;                   // IP address; empty: none
    unsigned turnPort = 3478;
    std::string turnUser, turnPassword;
    bool tcp = false;                         // ICE-TCP candidates besides UDP
    unsigned minPort = 0, maxPort = 0;        // host candidate port range (0: any)
  };
  struct Callbacks {
    std::function<void(const std::string& candidateLine)> localCandidate;  // "candidate:…" (no "a=")
    std::function<void()> gatheringDone;
    std::function<void(State)> stateChanged;
    std::function<void(const std::string& local, const std::string& remote)> selectedPair;
    std::function<void(const uint8_t* data, size_t size)> received;
  };

  // Loop thread or not: only creates credentials. start() makes the agent on the loop.
  IceAgent(MediaLoop& loop, Settings settings, Callbacks callbacks);
  ~IceAgent();  // loop thread
  IceAgent(const IceAgent&) = delete;
  IceAgent& operator=(const IceAgent&) = delete;

  // Our credentials, chosen at construction (usable at once in an SDP on any thread until the
  // agent starts); restart() changes them on the loop thread, so callers on other threads keep
  // the copy they read before negotiating.
  const std::string& localUfrag() const { return ufrag_; }
  const std::string& localPassword() const { return password_; }

  bool start(std::string* error);  // creates the agent and stream, attaches the receive callback
  bool gather();                   // starts gathering (candidates come through localCandidate)
  void setRemoteCredentials(const std::string& ufrag, const std::string& password);
  // ICE restart (RFC 8445 §9): our new credentials (chosen by the caller) and the peer's. Checks
  // and remote candidates start over; local candidates stay. localUfrag() changes: callers that
  // read it from another thread must keep their own copy from before.
  bool restart(const std::string& localUfrag, const std::string& localPassword, const std::string& remoteUfrag,
               const std::string& remotePassword);
  // One remote candidate line ("candidate:…" or "a=candidate:…"); false when unparsable.
  bool addRemoteCandidate(const std::string& line);
  void remoteGatheringDone();
  // One datagram on the selected pair; false when not connected or the send failed.
  bool send(const uint8_t* data, size_t size);
  State state() const { return state_; }
  // Local UDP/TCP sockets of this agent (diagnostics and tests).
  int socketCount() const;
  // IPv4 UDP sockets that carry a MediaPortFilter (kernel-side drop of garbage; tests).
  int filteredSocketCount() const { return filteredSockets_; }
  // The libnice agent (tests: its lifetime).
  NiceAgent* niceAgent() const { return agent_.get(); }

  static const char* stateName(State s);

 private:
  static void onReceive(NiceAgent*, guint, guint, guint len, gchar* buf, gpointer self);
  static void onCandidate(NiceAgent*, NiceCandidate* candidate, gpointer self);
  static void onGatheringDone(NiceAgent*, guint, gpointer self);
  static void onComponentState(NiceAgent*, guint, guint, guint state, gpointer self);
  static void onSelectedPair(NiceAgent*, guint, guint, NiceCandidate* local, NiceCandidate* remote, gpointer self);
  std::string candidateLine(NiceCandidate* candidate) const;
  // (Re)attaches MediaPortFilter to the IPv4 UDP sockets; peerPort 0: no peer address yet.
  int filterSockets(uint32_t peerAddress, uint16_t peerPort);

  MediaLoop& loop_;
  Settings settings_;
  Callbacks callbacks_;
  std::string ufrag_;
  std::string password_;
  GObjectPtr<NiceAgent> agent_;
  std::vector<SignalConnection> handlers_;  // after agent_: disconnected before it goes
  guint stream_ = 0;
  State state_ = State::Disconnected;
  bool remoteCredentialsSet_ = false;
  int filteredSockets_ = 0;
  std::vector<std::string> pendingRemote_;  // candidates before the credentials
};

}  // namespace pw::transport
