#pragma once

// A weak reference to a GObject (GWeakRef): it does not keep the object alive, and lock() gives
// a strong reference while the object lives, an empty one once it is disposed. Thread-safe as
// GWeakRef is. Move-only; the GWeakRef lives on the heap because GLib records its address.

#include "GObjectPtr.h"

#include <glib-object.h>

#include <memory>

namespace pw {

template <typename T>
class WeakRef {
 public:
  WeakRef() = default;
  explicit WeakRef(T* object) : ref_(std::make_unique<GWeakRef>()) { g_weak_ref_init(ref_.get(), object); }
  ~WeakRef() { reset(); }
  WeakRef(const WeakRef&) = delete;
  WeakRef& operator=(const WeakRef&) = delete;
  WeakRef(WeakRef&& o) noexcept = default;
  WeakRef& operator=(WeakRef&& o) noexcept {
    if (this != &o) {
      reset();
      ref_ = std::move(o.ref_);
    }
    return *this;
  }

  // A new strong reference, or empty once the object is gone. The reference is taken as
  // g_weak_ref_get gives it: a floating object stays floating.
  GObjectRef<T> lock() const {
    GObjectRef<T> strong;
    if (ref_) *strong.out() = static_cast<T*>(g_weak_ref_get(ref_.get()));
    return strong;
  }

  void reset() {
    if (ref_) {
      g_weak_ref_clear(ref_.get());
      ref_.reset();
    }
  }

 private:
  std::unique_ptr<GWeakRef> ref_;
};

}  // namespace pw
