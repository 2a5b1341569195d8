# The window test: run loralab in a real GLFW window under Xvfb, train, save a screenshot, check it;
# then open an adapter folder in it.
#   cmake -DLORALAB=... -DCHECK=... -DXVFB_RUN=... -DOUT=dir -P run_window_test.cmake
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
set(png "${OUT}/window.png")
# The plateau preset's scenario: rank 2 on a full-rank 32×32 target, pre-trained 300 steps.
execute_process(
  COMMAND ${XVFB_RUN} -a -s "-screen 0 1600x1000x24"
          ${LORALAB} --screenshot ${png} --frames 4 --d 32 --k 32 --rank 2 --target full --steps 300
  RESULT_VARIABLE rc
  ERROR_VARIABLE log
  OUTPUT_VARIABLE out
  TIMEOUT 120)
file(WRITE "${OUT}/stderr.txt" "${log}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "loralab --screenshot exited with ${rc}:\n${out}\n${log}")
endif()
execute_process(
  COMMAND ${CHECK} ${png} ${OUT}/stderr.txt 1600 1000
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "screenshot check failed")
endif()

# An adapter folder opened as a drop opens it (--open takes the same path as the drop callback):
# the window renders it and reports no error.
execute_process(
  COMMAND ${LORALAB} --headless --d 48 --k 40 --rank 6 --target decay --steps 50 --export-adapter ${OUT}/adapter
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE log TIMEOUT 60)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "exporting the test adapter failed (${rc}):\n${log}")
endif()
execute_process(
  COMMAND ${XVFB_RUN} -a -s "-screen 0 1600x1000x24"
          ${LORALAB} --open ${OUT}/adapter --screenshot ${OUT}/adapter.png --frames 3
  RESULT_VARIABLE rc ERROR_VARIABLE log OUTPUT_VARIABLE out TIMEOUT 120)
if(NOT rc EQUAL 0 OR NOT EXISTS "${OUT}/adapter.png" OR log MATCHES "warning|error")
  message(FATAL_ERROR "loralab --open ADAPTER --screenshot exited with ${rc}:\n${out}\n${log}")
endif()
