#pragma once

// The sole owner of a libnice candidate (nice_agent_parse_remote_candidate_sdp hands one over).

#include "UniqueOwner.h"

#include <nice/agent.h>

namespace pw {

struct NiceCandidateFree {
  void operator()(NiceCandidate* p) const { nice_candidate_free(p); }
};

using NiceCandidatePtr = UniqueOwner<NiceCandidate, NiceCandidateFree>;

}  // namespace pw
