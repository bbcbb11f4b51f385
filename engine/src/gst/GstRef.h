#pragma once

// RAII ownership of GStreamer references (design §5). Adoption and add-ref are explicit:
//   GstRef<GstElement>::adopt(p)   takes over a reference the caller owns (sinks floating refs)
//   GstRef<GstElement>::addRef(p)  takes a new reference
//   g_object_get(o, "prop", ref.out(), nullptr)   takes the reference an out-param hands over
// No code outside engine/src/gst calls gst_object_unref / gst_caps_unref directly
// (tests/hardening/check-no-bare-unref.sh; the other owners are listed in docs/architecture.md).

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

template <>
struct GstRefTraits<GstQuery> {
  static void ref(GstQuery* p) { gst_query_ref(p); }
  static void unref(GstQuery* p) { gst_query_unref(p); }
  static void sink(GstQuery*) {}
  static constexpr bool kCanFloat = false;
};

// A promise (webrtcbin's create-offer, set-*-description, get-stats). gst_promise_get_reply()
// is transfer none: the reply lives as long as the promise, so read it there or keep
// copyStructure(reply) (StructurePtr.h); never free it. Signals that take a promise
// (g_signal_emit_by_name(webrtcbin, "create-offer", nullptr, p.get())) take their own reference.
template <>
struct GstRefTraits<GstPromise> {
  static void ref(GstPromise* p) { gst_promise_ref(p); }
  static void unref(GstPromise* p) { gst_promise_unref(p); }
  static void sink(GstPromise*) {}
  static constexpr bool kCanFloat = false;
};

// GBytes: GLib's reference-counted bytes, what the data-channel and buffer APIs take.
template <>
struct GstRefTraits<GBytes> {
  static void ref(GBytes* p) { g_bytes_ref(p); }
  static void unref(GBytes* p) { g_bytes_unref(p); }
  static void sink(GBytes*) {}
  static constexpr bool kCanFloat = false;
};

// Copying shares the object (one more reference); moving hands the reference over and leaves
// the source empty. `Traits` says how T is referenced (GObjectRef in GObjectPtr.h uses it for
// plain GObjects).
template <typename T, typename Traits = GstRefTraits<T>>
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
      if constexpr (Traits::kCanFloat) {
        if (g_object_is_floating(p)) Traits::sink(p);
      }
    }
    r.ptr_ = p;
    return r;
  }
  // Takes a new reference of its own.
  static GstRef addRef(T* p) {
    GstRef r;
    if (p) Traits::ref(p);
    r.ptr_ = p;
    return r;
  }

  GstRef(const GstRef& o) : ptr_(o.ptr_) {
    if (ptr_) Traits::ref(ptr_);
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
    if (ptr_) Traits::unref(std::exchange(ptr_, nullptr));
  }
  // Gives the reference away (e.g. to a GStreamer call that takes ownership).
  T* release() { return std::exchange(ptr_, nullptr); }
  // For an out-param that hands over a reference (transfer full): g_object_get of an object or
  // boxed property, an action signal's return value. Drops what this held, then takes whatever
  // is written there as is: nothing is sunk, so a floating object stays floating (unlike adopt).
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

using ElementRef = GstRef<GstElement>;
using PadRef = GstRef<GstPad>;
using CapsRef = GstRef<GstCaps>;
using BusRef = GstRef<GstBus>;
using BufferRef = GstRef<GstBuffer>;
using SampleRef = GstRef<GstSample>;
using MessageRef = GstRef<GstMessage>;
using QueryRef = GstRef<GstQuery>;
using PromiseRef = GstRef<GstPromise>;
using BytesRef = GstRef<GBytes>;

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
