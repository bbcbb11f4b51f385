# Runtime options of the sanitizer trees (docs/testing.md), as ctest ENVIRONMENT entries in
# PIPEWRIGHT_SANITIZER_ENV. Suppressions cover third-party libraries only; each file says why.
# G_SLICE=always-malloc: GLib 2.74's slice allocator (GstBuffer, GstSample, GstEvent...) recycles
# memory the sanitizers cannot see; through malloc ASan sees use-after-free and overflows of
# those objects, and TSan sees a buffer freed on one thread and reused on another.
set(_supp ${PROJECT_SOURCE_DIR}/tests/sanitizers)
# TSan: ignore_noninstrumented_modules=1 makes the libc calls of uninstrumented libraries (GLib,
# GStreamer, Qt, libstdc++: their malloc/free/memcpy/strlen, their pthread locks' lock order)
# neither recorded nor reported; what our instrumented code does stays checked. Without it, a
# buffer GStreamer frees on one thread after our code read it on another is a "race" whose other
# side TSan cannot order (GLib's refcounts and GMutex are invisible to it).
if(PIPEWRIGHT_SANITIZE MATCHES "thread")
  set(PIPEWRIGHT_SANITIZER_ENV
    "TSAN_OPTIONS=suppressions=${_supp}/tsan.supp:halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0:ignore_noninstrumented_modules=1"
    "GST_REGISTRY_FORK=no" "G_SLICE=always-malloc")
else()
  set(PIPEWRIGHT_SANITIZER_ENV
    "ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:check_initialization_order=1:strict_init_order=1"
    "LSAN_OPTIONS=suppressions=${_supp}/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=suppressions=${_supp}/ubsan.supp:print_stacktrace=1:halt_on_error=1"
    "GST_REGISTRY_FORK=no" "G_SLICE=always-malloc")
endif()

# TSan tree: a test binary that runs GStreamer defines GLib's GMutex/GCond entry points itself
# (GlibSyncForTsan.cpp) so TSan sees the ordering they give; exported so that GStreamer's
# libraries bind to them.
function(pipewright_tsan_glib_sync target)
  target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests/sanitizers/GlibSyncForTsan.cpp)
  target_link_libraries(${target} PRIVATE ${CMAKE_DL_LIBS})
  target_link_options(${target} PRIVATE
    "LINKER:--export-dynamic-symbol=g_mutex_lock,--export-dynamic-symbol=g_mutex_trylock,--export-dynamic-symbol=g_mutex_unlock"
    "LINKER:--export-dynamic-symbol=g_cond_wait,--export-dynamic-symbol=g_cond_wait_until")
endfunction()
