// websockify's token plugins: map a token from the browser's URL to a proxy target.
#pragma once

#include "core/target.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vncgate::core {

// Turns a token into a target.
class target_resolver {
public:
    virtual ~target_resolver() = default;
    // Thread-safe (called from several I/O threads at once). Returns the token's target, or
    // nullopt for an unknown token (or, for TokenFile, while its source cannot be read).
    virtual std::optional<target> lookup(std::string_view token) = 0;
    // Re-reads the sources now (SIGHUP). Throws config_error if the source is unreadable, and
    // keeps the old table then.
    virtual void reload() = 0;
};

// Token table: token -> target.
using token_table = std::map<std::string, target, std::less<>>;

// Creates a plugin. name: TokenFile | ReadOnlyTokenFile | TokenFileName, optionally prefixed
// "websockify.token_plugins.". source: a token file or a directory of token files (TokenFile,
// ReadOnlyTokenFile), or a directory of one-target files named after tokens (TokenFileName).
// TokenFile and ReadOnlyTokenFile read the source now. Throws config_error for an unknown plugin,
// a missing or unreadable source, or a TokenFileName source that is not a directory.
std::unique_ptr<target_resolver> make_token_plugin(std::string_view name,
                                                   const std::string& source);

// Pure parser of websockify's token file format: lines "token: host:port" or
// "token: unix_socket:/path"; blank lines and lines starting with '#' are ignored; the token ends
// at the first ':' followed by whitespace (websockify splits on ':\s', so a second ": " in the
// line is an error); the token and the target are trimmed. Valid lines are added to `out` (a
// later line wins over an earlier one with the same token); each bad line is skipped and reported
// in `errors` as "FILE:LINE: reason" (the reason never contains the token, which is a secret).
void parse_token_file(std::string_view text, std::string_view filename,
                      std::map<std::string, target, std::less<>>& out,
                      std::vector<std::string>& errors);

// True when `token` may name a file for TokenFileName: non-empty, at most 255 bytes, not "." or
// "..", and without '/', '\\', NUL or other control characters.
bool is_safe_token_file_name(std::string_view token);

} // namespace vncgate::core
