# Runtime options of the sanitizer trees (docs/testing.md), as ctest ENVIRONMENT entries in
# PIPEWRIGHT_SANITIZER_ENV. Suppressions cover third-party libraries only; each file says why.
# G_SLICE=always-malloc: GLib 2.74's slice allocator (GstBuffer, GstSample, GstEvent...) recycles
# memory the sanitizers cannot see; through malloc ASan sees use-after-free and overflows of
# those objects, and TSan sees a buffer freed on one thread and reused on another.
set(_supp ${PROJECT_SOURCE_DIR}/tests/sanitizers)
if(PIPEWRIGHT_SANITIZE MATCHES "thread")
  set(PIPEWRIGHT_SANITIZER_ENV
    "TSAN_OPTIONS=suppressions=${_supp}/tsan.supp:halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0"
    "GST_REGISTRY_FORK=no" "G_SLICE=always-malloc")
else()
  set(PIPEWRIGHT_SANITIZER_ENV
    "ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:check_initialization_order=1:strict_init_order=1"
    "LSAN_OPTIONS=suppressions=${_supp}/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=suppressions=${_supp}/ubsan.supp:print_stacktrace=1:halt_on_error=1"
    "GST_REGISTRY_FORK=no" "G_SLICE=always-malloc")
endif()
