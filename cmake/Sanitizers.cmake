# Sanitizer builds (docs/testing.md): PIPEWRIGHT_SANITIZE=address,undefined (the `asan` preset)
# or thread (the `tsan` preset) instruments every target of the tree. The fuzzers (fuzz/) need
# the engine compiled with libFuzzer's coverage hooks, so PIPEWRIGHT_BUILD_FUZZERS adds
# -fsanitize=fuzzer-no-link everywhere; the tests of that tree link the plain sanitizer runtime,
# which provides the hooks.
if(PIPEWRIGHT_SANITIZE OR PIPEWRIGHT_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PIPEWRIGHT_SANITIZE and PIPEWRIGHT_BUILD_FUZZERS need clang (cmake --preset asan uses clang++-14)")
  endif()
  if(PIPEWRIGHT_HARDENING)
    # _FORTIFY_SOURCE replaces the C string functions the sanitizers intercept.
    message(FATAL_ERROR "Sanitizer and fuzzer builds need -DPIPEWRIGHT_HARDENING=OFF")
  endif()
endif()

if(PIPEWRIGHT_SANITIZE)
  add_compile_options(-fsanitize=${PIPEWRIGHT_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${PIPEWRIGHT_SANITIZE})
  if(PIPEWRIGHT_SANITIZE MATCHES "undefined")
    # Any undefined behaviour fails the test or the fuzzer, it does not just print.
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()

if(PIPEWRIGHT_BUILD_FUZZERS)
  # address,undefined (the `asan` preset, CI) or undefined alone (the `fuzz` preset: long
  # campaigns run several times faster without ASan; their corpus is then replayed under ASan,
  # docs/testing.md "Long campaigns").
  if(NOT PIPEWRIGHT_SANITIZE MATCHES "undefined")
    message(FATAL_ERROR "PIPEWRIGHT_BUILD_FUZZERS needs PIPEWRIGHT_SANITIZE=address,undefined (or undefined for campaigns)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
