#pragma once

// Everything the SDK defines lives inside each plugin, never shared between
// plugins: with default visibility, inline variables and template statics
// become STB_GNU_UNIQUE symbols that the dynamic linker merges across every
// loaded plugin (and that pin the library in memory). Wrapping the SDK's own
// declarations in hidden visibility keeps each plugin self-contained even if
// its author forgot -fvisibility=hidden. Include standard and third-party
// headers before CERTCTL_SDK_BEGIN_HIDDEN, never inside.
#if defined(__GNUC__)
#define CERTCTL_SDK_BEGIN_HIDDEN _Pragma("GCC visibility push(hidden)")
#define CERTCTL_SDK_END_HIDDEN _Pragma("GCC visibility pop")
#else
#define CERTCTL_SDK_BEGIN_HIDDEN
#define CERTCTL_SDK_END_HIDDEN
#endif
