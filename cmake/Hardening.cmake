# Hardened build on by default (design §6): PIE, full RELRO, FORTIFY_SOURCE,
# stack protector, format-security. tests/hardening checks the result with readelf.
if(PIPEWRIGHT_HARDENING)
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  include(CheckPIESupported)
  check_pie_supported()
  add_compile_options(
    -fstack-protector-strong
    -Wformat -Werror=format-security
    -fcf-protection)
  # _FORTIFY_SOURCE needs optimisation; Debug builds get -O1 so it still applies.
  add_compile_options($<$<CONFIG:Debug>:-O1>)
  add_compile_definitions(_FORTIFY_SOURCE=2)
  add_link_options(-Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack -Wl,--as-needed)
endif()
