#include "MediaPortFilter.h"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstddef>

namespace pw::transport {

namespace {

// On a UDP socket the filter sees the datagram from its UDP header on; the IPv4 header is
// reached through SKF_NET_OFF.
constexpr uint32_t kUdpSourcePort = 0;
constexpr uint32_t kPayload = 8;
constexpr uint32_t kIpv4Source = static_cast<uint32_t>(SKF_NET_OFF + 12);
constexpr uint32_t kStunCookie = 0x2112A442;
constexpr uint32_t kStunBindingRequest = 0x0001;
constexpr uint32_t kStunUsername = 0x0006;
constexpr uint32_t kStunHeaderBytes = 20;
constexpr int kAttributesScanned = 8;
constexpr uint32_t kAccept = 0xFFFFFFFF;  // the whole datagram
constexpr uint32_t kDrop = 0;

// Classic BPF with forward labels, resolved when the program is done.
class Assembler {
 public:
  static constexpr int kNext = -1;  // fall through to the next instruction

  int label() {
    labels_.push_back(-1);
    return static_cast<int>(labels_.size()) - 1;
  }
  void bind(int label) { labels_[static_cast<size_t>(label)] = static_cast<int>(code_.size()); }
  void op(uint16_t code, uint32_t k) { code_.push_back({code, {kNext, kNext}, false, k}); }
  void jump(uint16_t condition, uint32_t k, int ifTrue, int ifFalse) {
    code_.push_back({static_cast<uint16_t>(BPF_JMP | condition | BPF_K), {ifTrue, ifFalse}, false, k});
  }
  void always(int target) { code_.push_back({BPF_JMP | BPF_JA, {target, kNext}, true, 0}); }

  // Empty when a label is unbound or backward, or a conditional jump is too far (a bug here).
  std::vector<sock_filter> finish() const {
    std::vector<sock_filter> out;
    out.reserve(code_.size());
    for (size_t i = 0; i < code_.size(); ++i) {
      const Item& item = code_[i];
      auto offset = [&](int target) -> int64_t {
        if (target == kNext) return 0;
        const int at = labels_[static_cast<size_t>(target)];
        return at <= static_cast<int>(i) ? -1 : at - static_cast<int>(i) - 1;
      };
      sock_filter f{item.code, 0, 0, item.k};
      const int64_t first = offset(item.targets[0]), second = offset(item.targets[1]);
      if (first < 0 || second < 0) return {};
      if (item.unconditional) {
        f.k = static_cast<uint32_t>(first);
      } else if (BPF_CLASS(item.code) == BPF_JMP) {
        if (first > 255 || second > 255) return {};
        f.jt = static_cast<uint8_t>(first);
        f.jf = static_cast<uint8_t>(second);
      }
      out.push_back(f);
    }
    return out;
  }

 private:
  struct Item {
    uint16_t code;
    std::array<int, 2> targets;
    bool unconditional;
    uint32_t k;
  };
  std::vector<Item> code_;
  std::vector<int> labels_;
};

}  // namespace

std::vector<sock_filter> MediaPortFilter::build(std::string_view localUfrag, uint32_t peerAddress, uint16_t peerPort) {
  if (localUfrag.empty() || localUfrag.size() > 255) return {};
  Assembler a;
  const int accept = a.label(), drop = a.label(), stun = a.label(), username = a.label();
  const bool hasPeer = peerPort != 0;
  // Not STUN: from the peer only (libnice drops data from elsewhere anyway), or, with no peer
  // yet, whatever libnice makes of it.
  const int notStun = hasPeer ? drop : accept;

  if (hasPeer) {
    a.op(BPF_LD | BPF_W | BPF_ABS, kIpv4Source);
    a.jump(BPF_JEQ, peerAddress, Assembler::kNext, stun);
    a.op(BPF_LD | BPF_H | BPF_ABS, kUdpSourcePort);
    a.jump(BPF_JEQ, peerPort, accept, stun);
  }
  a.bind(stun);
  // A load past the end of the datagram ends the program with 0 (drop): datagrams too short
  // for a STUN header are not STUN.
  a.op(BPF_LD | BPF_B | BPF_ABS, kPayload);
  a.jump(BPF_JGE, 0x40, notStun, Assembler::kNext);  // STUN's first two bits are zero
  a.op(BPF_LD | BPF_W | BPF_ABS, kPayload + 4);
  a.jump(BPF_JEQ, kStunCookie, Assembler::kNext, notStun);
  a.op(BPF_LD | BPF_H | BPF_ABS, kPayload);
  a.jump(BPF_JEQ, kStunBindingRequest, Assembler::kNext, accept);  // responses, indications: libnice
  // A Binding request: find USERNAME among the first attributes (X = offset of an attribute).
  a.op(BPF_LDX | BPF_W | BPF_IMM, kPayload + kStunHeaderBytes);
  for (int i = 0; i < kAttributesScanned; ++i) {
    a.op(BPF_LD | BPF_H | BPF_IND, 0);
    a.jump(BPF_JEQ, kStunUsername, username, Assembler::kNext);
    a.op(BPF_LD | BPF_H | BPF_IND, 2);  // value length, padded to 4, plus the 4-byte header
    a.op(BPF_ALU | BPF_ADD | BPF_K, 3);
    a.op(BPF_ALU | BPF_AND | BPF_K, 0xFFFC);
    a.op(BPF_ALU | BPF_ADD | BPF_K, 4);
    a.op(BPF_ALU | BPF_ADD | BPF_X, 0);
    a.op(BPF_MISC | BPF_TAX, 0);
  }
  a.always(drop);
  // USERNAME is "<our ufrag>:<theirs>": compare four bytes at a time, then the rest and ':'.
  a.bind(username);
  uint32_t at = 4;
  size_t i = 0;
  for (; i + 4 <= localUfrag.size(); i += 4, at += 4) {
    const auto c = [&](size_t j) { return static_cast<uint32_t>(static_cast<unsigned char>(localUfrag[i + j])); };
    a.op(BPF_LD | BPF_W | BPF_IND, at);
    a.jump(BPF_JEQ, (c(0) << 24) | (c(1) << 16) | (c(2) << 8) | c(3), Assembler::kNext, drop);
  }
  for (; i < localUfrag.size(); ++i, ++at) {
    a.op(BPF_LD | BPF_B | BPF_IND, at);
    a.jump(BPF_JEQ, static_cast<unsigned char>(localUfrag[i]), Assembler::kNext, drop);
  }
  a.op(BPF_LD | BPF_B | BPF_IND, at);
  a.jump(BPF_JEQ, ':', accept, drop);

  a.bind(accept);
  a.op(BPF_RET | BPF_K, kAccept);
  a.bind(drop);
  a.op(BPF_RET | BPF_K, kDrop);
  return a.finish();
}

bool MediaPortFilter::attach(int fd, const std::vector<sock_filter>& program) {
  if (program.empty() || program.size() > BPF_MAXINSNS) {
    errno = EINVAL;
    return false;
  }
  sock_fprog fprog{static_cast<unsigned short>(program.size()), const_cast<sock_filter*>(program.data())};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) == 0;
}

bool MediaPortFilter::detach(int fd) {
  int unused = 0;
  return setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) == 0;
}

}  // namespace pw::transport
