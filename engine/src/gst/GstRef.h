#pragma once

// RAII ownership of GStreamer references (design §5). Adoption and add-ref are explicit:
//   GstRef<GstElement>::adopt(p)   takes over a reference the caller owns (sinks floating refs)
//   GstRef<GstElement>::addRef(p)  takes a new reference
// No element code calls gst_object_unref / gst_caps_unref directly.

#include <gst/gst.h>

#include <utility>

namespace pw {

template <typename T>
struct GstRefTraits {
  // Every GstObject subclass (GstElement, GstPad, GstBus, GstClock, ...).
  static void ref(T* p) { gst_object_ref(p); }
  static void unref(T* p) { gst_object_unref(p); }
  static void sink(T* p) { gst_object_ref_sink(p); }
  static constexpr bool kCanFloat = true;
};

template <>
struct GstRefTraits<GstCaps> {
  static void ref(GstCaps* p) { gst_caps_ref(p); }
  static void unref(GstCaps* p) { gst_caps_unref(p); }
  static void sink(GstCaps*) {}
  static constexpr bool kCanFloat = false;
};

template <>
struct GstRefTraits<GstSample> {
  static void ref(GstSample* p) { gst_sample_ref(p); }
  static void unref(GstSample* p) { gst_sample_unref(p); }
  static void sink(GstSample*) {}
  static constexpr bool kCanFloat = false;
};

template <>
struct GstRefTraits<GstBuffer> {
  static void ref(GstBuffer* p) { gst_buffer_ref(p); }
  static void unref(GstBuffer* p) { gst_buffer_unref(p); }
  static void sink(GstBuffer*) {}
  static constexpr bool kCanFloat = false;
};

template <>
struct GstRefTraits<GstMessage> {
  static void ref(GstMessage* p) { gst_message_ref(p); }
  static void unref(GstMessage* p) { gst_message_unref(p); }
  static void sink(GstMessage*) {}
  static constexpr bool kCanFloat = false;
};

template <typename T>
class GstRef {
 public:
  GstRef() = default;
  GstRef(std::nullptr_t) {}
  ~GstRef() { reset(); }

  // Takes over a reference the caller owns. A floating GstObject reference is sunk, so
  // gst_element_factory_make() results can be adopted directly.
  static GstRef adopt(T* p) {
    GstRef r;
    if (p) {
      if constexpr (GstRefTraits<T>::kCanFloat) {
        if (g_object_is_floating(p)) GstRefTraits<T>::sink(p);
      }
    }
    r.ptr_ = p;
    return r;
  }
  // Takes a new reference of its own.
  static GstRef addRef(T* p) {
    GstRef r;
    if (p) GstRefTraits<T>::ref(p);
    r.ptr_ = p;
    return r;
  }

  GstRef(const GstRef& o) : ptr_(o.ptr_) {
    if (ptr_) GstRefTraits<T>::ref(ptr_);
  }
  GstRef(GstRef&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)) {}
  GstRef& operator=(const GstRef& o) {
    if (this != &o) {
      GstRef tmp(o);
      std::swap(ptr_, tmp.ptr_);
    }
    return *this;
  }
  GstRef& operator=(GstRef&& o) noexcept {
    if (this != &o) {
      reset();
      ptr_ = std::exchange(o.ptr_, nullptr);
    }
    return *this;
  }

  void reset() {
    if (ptr_) GstRefTraits<T>::unref(std::exchange(ptr_, nullptr));
  }
  // Gives the reference away (e.g. to a GStreamer call that takes ownership).
  T* release() { return std::exchange(ptr_, nullptr); }

  T* get() const { return ptr_; }
  T* operator->() const { return ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  T* ptr_ = nullptr;
};

using ElementRef = GstRef<GstElement>;
using PadRef = GstRef<GstPad>;
using CapsRef = GstRef<GstCaps>;
using BusRef = GstRef<GstBus>;

// GstElement* from a GstRef<GstElement> used where GstBin* is expected.
inline GstBin* asBin(const ElementRef& e) { return GST_BIN(e.get()); }

// gst_element_factory_make with the result adopted; null when the plugin is missing.
inline ElementRef makeElement(const char* factory, const char* name = nullptr) {
  return ElementRef::adopt(gst_element_factory_make(factory, name));
}

// Stops `element` and takes it out of the bin holding it, if any (one place for the teardown
// every element, hub, branch and recording does).
inline void stopAndRemove(GstElement* element) {
  if (!element) return;
  gst_element_set_state(element, GST_STATE_NULL);
  GstRef<GstObject> parent = GstRef<GstObject>::adopt(gst_object_get_parent(GST_OBJECT(element)));
  if (parent && GST_IS_BIN(parent.get())) gst_bin_remove(GST_BIN(parent.get()), element);
}

}  // namespace pw
