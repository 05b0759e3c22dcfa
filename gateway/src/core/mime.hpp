// Content-Type of a static file, chosen by its name's extension.
#pragma once

#include <string_view>

namespace vncgate::core {

// Returns the MIME type for `path` by its last extension, compared case-insensitively
// ("app.JS" -> "text/javascript; charset=utf-8"); "application/octet-stream" when the name has
// no extension or an unknown one. Only the last path segment is looked at. The returned view
// refers to static storage.
std::string_view mime_type(std::string_view path);

} // namespace vncgate::core
