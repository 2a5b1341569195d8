/* Debian's stb_image implementation, compiled with the fuzzer's instrumentation and
   sanitizers. The executable's copy takes precedence over the one in libstb. */
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
