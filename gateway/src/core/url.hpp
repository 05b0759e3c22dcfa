// Percent-decoding of URL components, shared by request-path cleaning and query parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vncgate::core {

// Decodes %XX escapes (either case). With plus_as_space, '+' decodes to ' ' as in HTML form
// queries. Returns nullopt when an escape is truncated or not hexadecimal. Decoded bytes are not
// validated: callers check what they may contain.
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space = false);

} // namespace vncgate::core
