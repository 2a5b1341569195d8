# Fails when a kernel object file defines a global or weak symbol outside loralab::<ISA>.
# DW.ref.__gxx_personality_v0 is the compiler's weak pointer to the C++ unwinder, emitted (one
# identical copy per object) when a file has exception tables, as sanitizer builds do: not ours.
# cmake -DNM=nm -DISA=avx2 -DOBJECTS=a.o;b.o -P check_kernel_symbols.cmake
foreach(object IN LISTS OBJECTS)
  execute_process(COMMAND ${NM} -C --defined-only --extern-only ${object}
    OUTPUT_VARIABLE symbols RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${object}")
  endif()
  string(REPLACE "\n" ";" lines "${symbols}")
  set(count 0)
  foreach(line IN LISTS lines)
    if(line STREQUAL "" OR line MATCHES " DW\\.ref\\.__gxx_personality_v0$")
      continue()
    endif()
    math(EXPR count "${count} + 1")
    if(NOT line MATCHES " loralab::${ISA}::")
      message(FATAL_ERROR "${object} defines a symbol outside loralab::${ISA}: ${line}")
    endif()
  endforeach()
  if(count EQUAL 0)
    message(FATAL_ERROR "${object} defines no symbol: is this the kernel file?")
  endif()
  message(STATUS "${object}: ${count} symbols, all in loralab::${ISA}")
endforeach()
