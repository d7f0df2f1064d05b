#include "programs.hpp"

namespace bugbench {

const char *to_string(Failure failure) {
  switch (failure) {
  case Failure::invariant:
    return "invariant";
  case Failure::exception:
    return "exception";
  case Failure::deadlock:
    return "deadlock";
  }
  return "?";
}

std::vector<BugProgram> all_programs() {
  std::vector<BugProgram> programs;
  add_ordering_programs(programs);
  add_prefix_programs(programs);
  add_atomicity_programs(programs);
  add_structure_programs(programs);
  add_deadlock_programs(programs);
  add_wakeup_programs(programs);
  return programs;
}

} // namespace bugbench
