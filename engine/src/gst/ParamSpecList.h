#pragma once

// The GObject properties of a type, owned: keeps the type's class alive and frees the array
// g_object_class_list_properties() returns.

#include <glib-object.h>

#include <utility>

namespace pw {

class ParamSpecList {
 public:
  // Every property of `type` (a GObject type), including inherited ones. Initialises the class
  // if nothing did yet, without creating an instance.
  static ParamSpecList ofType(GType type) {
    ParamSpecList list;
    if (!G_TYPE_IS_OBJECT(type)) return list;
    list.class_ = g_type_class_ref(type);
    list.specs_ = g_object_class_list_properties(G_OBJECT_CLASS(list.class_), &list.count_);
    return list;
  }

  ParamSpecList() = default;
  ~ParamSpecList() { reset(); }
  ParamSpecList(const ParamSpecList&) = delete;
  ParamSpecList& operator=(const ParamSpecList&) = delete;
  ParamSpecList(ParamSpecList&& o) noexcept
      : class_(std::exchange(o.class_, nullptr)), specs_(std::exchange(o.specs_, nullptr)), count_(std::exchange(o.count_, 0)) {}
  ParamSpecList& operator=(ParamSpecList&& o) noexcept {
    if (this != &o) {
      reset();
      class_ = std::exchange(o.class_, nullptr);
      specs_ = std::exchange(o.specs_, nullptr);
      count_ = std::exchange(o.count_, 0);
    }
    return *this;
  }

  GParamSpec* const* begin() const { return specs_; }
  GParamSpec* const* end() const { return specs_ + count_; }
  guint size() const { return count_; }

 private:
  void reset() {
    g_free(std::exchange(specs_, nullptr));
    count_ = 0;
    if (class_) g_type_class_unref(std::exchange(class_, nullptr));
  }

  gpointer class_ = nullptr;
  GParamSpec** specs_ = nullptr;
  guint count_ = 0;
};

}  // namespace pw
