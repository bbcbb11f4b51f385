#pragma once

// A GValue owned by a scope: initialised for one type (or left unset, for calls such as
// gst_iterator_next that initialise it themselves), unset when the scope ends.

#include <glib-object.h>

namespace pw {

class ScopedValue {
 public:
  ScopedValue() = default;
  explicit ScopedValue(GType type) { g_value_init(&value_, type); }
  ~ScopedValue() {
    if (G_IS_VALUE(&value_)) g_value_unset(&value_);
  }
  ScopedValue(const ScopedValue&) = delete;
  ScopedValue& operator=(const ScopedValue&) = delete;

  GValue* get() { return &value_; }
  const GValue* get() const { return &value_; }

 private:
  GValue value_ = G_VALUE_INIT;
};

}  // namespace pw
