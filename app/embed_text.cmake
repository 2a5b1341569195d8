# Turns a text file into a C++ header holding it as a raw string literal.
#   cmake -DINPUT=file -DOUTPUT=header.h -DSYMBOL=kName -P embed_text.cmake
file(READ "${INPUT}" content)
if(content MATCHES "\\)loralab_embed\"")
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
get_filename_component(name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${name} by embed_text.cmake. Do not edit.\n#pragma once\n\n"
  "inline constexpr const char ${SYMBOL}[] = R\"loralab_embed(${content})loralab_embed\";\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
