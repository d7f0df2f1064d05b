// Text made safe for another reader: a JSON string literal, a word a POSIX shell reads back
// as it was. Shared by the explorer (trace files, rerun commands) and the `interlace`
// command (--json, replay commands), which compiles this file without the rest of explore/.
#pragma once

#include <string>

namespace interlace::detail {

// `text` as a JSON string literal, quotes included.
std::string json_string(const std::string &text);

// `word` as one word of a shell command line: unchanged when it holds nothing a shell would
// read specially, in single quotes otherwise.
std::string shell_quote(const std::string &word);

} // namespace interlace::detail
