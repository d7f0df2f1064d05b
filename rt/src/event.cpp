#include "interlace/rt/event.hpp"

namespace interlace::rt {

const char *to_string(EventKind kind) {
  switch (kind) {
  case EventKind::Start:
    return "start";
  case EventKind::Read:
    return "read";
  case EventKind::Write:
    return "write";
  case EventKind::Rmw:
    return "rmw";
  case EventKind::Fence:
    return "fence";
  case EventKind::Spawn:
    return "spawn";
  case EventKind::Join:
    return "join";
  case EventKind::Detach:
    return "detach";
  case EventKind::Lock:
    return "lock";
  case EventKind::Unlock:
    return "unlock";
  case EventKind::Finish:
    return "finish";
  case EventKind::ReadLock:
    return "read lock";
  case EventKind::Wait:
    return "wait";
  case EventKind::Notify:
    return "notify";
  case EventKind::Once:
    return "once";
  case EventKind::Sleep:
    return "sleep";
  case EventKind::Marker:
    return "marker";
  case EventKind::Switch:
    return "switch";
  }
  return "?";
}

} // namespace interlace::rt
