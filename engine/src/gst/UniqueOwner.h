#pragma once

// The sole owner of a C value GLib or GStreamer hands over and that has no reference count
// (GstStructure, GstSDPMessage, GError, g_malloc'd strings, GstIterator...): freed with `Free`
// when the owner goes. Move-only. The families (StructurePtr, SdpMessagePtr, ErrorPtr,
// GCharPtr, ...) are aliases in their own headers, each with its `Free`:
//   auto s = StructurePtr::adopt(gst_structure_new_empty("x"));   takes over what the caller owns
//   gst_message_parse_error(m, err.out(), dbg.out());             takes what an out-param hands over
//   gst_foo_take(s.release());                                    gives it to a call that takes it

#include <cstddef>
#include <utility>

namespace pw {

template <typename T, typename Free>
class UniqueOwner {
 public:
  UniqueOwner() = default;
  UniqueOwner(std::nullptr_t) {}
  ~UniqueOwner() { reset(); }

  // Takes over a value the caller owns (transfer full). Null is fine.
  static UniqueOwner adopt(T* p) {
    UniqueOwner o;
    o.ptr_ = p;
    return o;
  }

  UniqueOwner(const UniqueOwner&) = delete;
  UniqueOwner& operator=(const UniqueOwner&) = delete;
  UniqueOwner(UniqueOwner&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)) {}
  UniqueOwner& operator=(UniqueOwner&& o) noexcept {
    if (this != &o) {
      reset();
      ptr_ = std::exchange(o.ptr_, nullptr);
    }
    return *this;
  }

  void reset() {
    if (ptr_) Free{}(std::exchange(ptr_, nullptr));
  }
  // Gives the value away (to a call that takes ownership); the owner is empty afterwards.
  [[nodiscard]] T* release() { return std::exchange(ptr_, nullptr); }
  // For a `T**` out-param that hands over a value (transfer full): frees what this held, then
  // owns whatever the call writes there.
  T** out() {
    reset();
    return &ptr_;
  }

  T* get() const { return ptr_; }
  T* operator->() const { return ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  T* ptr_ = nullptr;
};

}  // namespace pw
