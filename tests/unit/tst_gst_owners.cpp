// The owners in engine/src/gst (docs/architecture.md, Ownership): adopt / addRef / out() take
// exactly the references they say (counts read with GST_OBJECT_REFCOUNT_VALUE,
// GST_MINI_OBJECT_REFCOUNT_VALUE and G_OBJECT(...)->ref_count), moved-from owners free nothing,
// ownership handed to GStreamer (gst_webrtc_session_description_new) leaves the owner empty,
// and a SignalConnection disconnects its handler, whichever of it and its instance goes first.
// GLib warnings and criticals are fatal here, so a wrong disconnect or unref fails the test;
// the sanitizer tree runs it under ASan for double frees and leaks.

#include "elements/webrtc/RtpCodecs.h"
#include "gst/ErrorPtr.h"
#include "gst/GCharPtr.h"
#include "gst/GListPtr.h"
#include "gst/GObjectPtr.h"
#include "gst/GstRef.h"
#include "gst/IteratorPtr.h"
#include "gst/ScopedValue.h"
#include "gst/SdpMessagePtr.h"
#include "gst/SignalConnection.h"
#include "gst/StructurePtr.h"
#include "gst/UniqueOwner.h"
#include "gst/WeakRef.h"
#include "gst/WebRtcSessionDescriptionPtr.h"
#include "pipewright/engine/KurentoError.h"

#include <QTest>

#include <gst/gst.h>

#include <cstring>

using namespace pw;

namespace {

guint objectRefs(gpointer o) { return G_OBJECT(o)->ref_count; }
int miniRefs(gpointer m) { return GST_MINI_OBJECT_REFCOUNT_VALUE(m); }

// A UniqueOwner whose Free counts, to see every free.
int gFreed = 0;
struct CountingFree {
  void operator()(int* p) const {
    ++gFreed;
    delete p;
  }
};
using CountingPtr = UniqueOwner<int, CountingFree>;

// True once `object` is finalized (a GLib weak pointer, independent of the owners under test).
struct Finalized {
  explicit Finalized(gpointer object) : object_(object) { g_object_add_weak_pointer(G_OBJECT(object_), &object_); }
  ~Finalized() {
    if (object_) g_object_remove_weak_pointer(G_OBJECT(object_), &object_);
  }
  bool operator()() const { return object_ == nullptr; }
  gpointer object_;
};

void countCall(GObject*, GParamSpec*, gpointer user) { ++*static_cast<int*>(user); }
void countDestroy(gpointer user, GClosure*) { ++*static_cast<int*>(user); }

const char kSdp[] =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nc=IN IP4 127.0.0.1\r\n"
    "m=video 5004 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n";

}  // namespace

class TestGstOwners : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    gst_init(nullptr, nullptr);
    g_log_set_always_fatal(static_cast<GLogLevelFlags>(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING));
  }

  void elementRefAdoptAddRefCopyMove() {
    GstElement* raw = gst_element_factory_make("identity", nullptr);
    QVERIFY(raw);
    QVERIFY(g_object_is_floating(raw));
    Finalized gone(raw);
    ElementRef a = ElementRef::adopt(raw);  // sinks the floating reference: still one
    QVERIFY(!g_object_is_floating(raw));
    QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(raw), 1);
    ElementRef b = ElementRef::addRef(raw);
    QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(raw), 2);
    ElementRef c = b;  // copy: one more
    QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(raw), 3);
    ElementRef d = std::move(c);  // move: handed over
    QVERIFY(!c);
    QCOMPARE(d.get(), raw);
    QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(raw), 3);
    c = std::move(d);
    QVERIFY(!d);
    QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(raw), 3);
    b = c;  // copy-assign over a reference to the same object
    QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(raw), 3);
    c.reset();
    b.reset();
    d.reset();  // empty: nothing
    QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(raw), 1);
    QVERIFY(!gone());
    GstElement* given = a.release();  // handed back: nothing freed
    QVERIFY(!a);
    QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(given), 1);
    a = ElementRef::adopt(given);
    a.reset();
    QVERIFY(gone());
  }

  void gstRefOutTakesTheOutParamAsIs() {
    // A floating bin stays floating: out() does not sink (g_object_get hands over a plain ref).
    GstElement* bin = gst_bin_new("bin");
    GstElement* child = gst_element_factory_make("identity", "child");
    QVERIFY(gst_bin_add(GST_BIN(bin), child));
    QVERIFY(g_object_is_floating(bin));
    {
      ElementRef parent;
      g_object_get(child, "parent", parent.out(), nullptr);
      QCOMPARE(parent.get(), bin);
      QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(bin), 2);
      QVERIFY(g_object_is_floating(bin));
      g_object_get(child, "parent", parent.out(), nullptr);  // out() drops what it held first
      QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(bin), 2);
    }
    QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(bin), 1);
    Finalized gone(bin);
    ElementRef owner = ElementRef::adopt(bin);
    owner.reset();
    QVERIFY(gone());
  }

  void miniObjectRefs() {
    BufferRef buffer = BufferRef::adopt(gst_buffer_new());
    GstBuffer* raw = buffer.get();
    QCOMPARE(miniRefs(raw), 1);
    BufferRef copy = buffer;
    QCOMPARE(miniRefs(raw), 2);
    BufferRef moved = std::move(copy);
    QVERIFY(!copy);
    QCOMPARE(miniRefs(raw), 2);
    moved.reset();
    QCOMPARE(miniRefs(raw), 1);

    QueryRef query = QueryRef::adopt(gst_query_new_seeking(GST_FORMAT_TIME));
    QueryRef second = QueryRef::addRef(query.get());
    QCOMPARE(miniRefs(query.get()), 2);
    second.reset();
    QCOMPARE(miniRefs(query.get()), 1);

    MessageRef message = MessageRef::adopt(gst_message_new_eos(nullptr));
    MessageRef other = message;
    QCOMPARE(miniRefs(message.get()), 2);

    BytesRef bytes = BytesRef::adopt(g_bytes_new("abc", 3));
    BytesRef bytes2 = std::move(bytes);
    QVERIFY(!bytes);
    QCOMPARE(g_bytes_get_size(bytes2.get()), gsize(3));
  }

  void promiseRefAndTransferNoneReply() {
    PromiseRef promise = PromiseRef::adopt(gst_promise_new());
    QCOMPARE(miniRefs(promise.get()), 1);
    PromiseRef held = PromiseRef::addRef(promise.get());  // what webrtcbin does with a promise
    QCOMPARE(miniRefs(promise.get()), 2);
    gst_promise_reply(promise.get(), gst_structure_new("answer", "x", G_TYPE_INT, 7, nullptr));
    const GstStructure* reply = gst_promise_get_reply(promise.get());  // transfer none
    QVERIFY(reply);
    StructurePtr copy = copyStructure(reply);
    QVERIFY(copy.get() != reply);
    held.reset();
    promise.reset();  // the reply goes with the promise; the copy stays
    int x = 0;
    QVERIFY(gst_structure_get_int(copy.get(), "x", &x));
    QCOMPARE(x, 7);
    QVERIFY(!copyStructure(nullptr));
  }

  void uniqueOwnerFreesOnce() {
    gFreed = 0;
    {
      CountingPtr a = CountingPtr::adopt(new int(1));
      CountingPtr b = std::move(a);  // moved-from: frees nothing
      QVERIFY(!a);
      CountingPtr c;
      c = std::move(b);
      QVERIFY(!b);
      QCOMPARE(*c.get(), 1);
      QCOMPARE(gFreed, 0);
      c = CountingPtr::adopt(new int(2));  // assigning over a value frees it
      QCOMPARE(gFreed, 1);
      int* given = c.release();  // given away: not freed here
      QVERIFY(!c);
      delete given;
      int** slot = c.out();
      QVERIFY(slot && !*slot);
      *slot = new int(3);
      QCOMPARE(*c.get(), 3);
      c.out();  // out() frees the value it held
      QCOMPARE(gFreed, 2);
      QVERIFY(!c);
      CountingPtr d = CountingPtr::adopt(new int(4));
    }
    QCOMPARE(gFreed, 3);  // d
  }

  void structureAndStringOwners() {
    StructurePtr s = StructurePtr::adopt(gst_structure_new_empty("a"));
    StructurePtr t = std::move(s);
    QVERIFY(!s);
    QCOMPARE(QLatin1String(gst_structure_get_name(t.get())), QLatin1String("a"));
    GstStructure* raw = t.release();
    s = StructurePtr::adopt(raw);

    ElementRef e = makeElement("identity", "named");
    GCharPtr name;
    g_object_get(e.get(), "name", name.out(), nullptr);
    QCOMPARE(QLatin1String(name.get()), QLatin1String("named"));
    name = GCharPtr::adopt(gst_object_get_name(GST_OBJECT(e.get())));
    QCOMPARE(QLatin1String(name.get()), QLatin1String("named"));
    GCharPtr empty;
    QCOMPARE(QString::fromUtf8(empty.get()), QString());
  }

  void errorOutParam() {
    ErrorPtr err;
    GCharPtr contents;
    QVERIFY(!g_file_get_contents("/nonexistent/pipewright-owners", contents.out(), nullptr, err.out()));
    QVERIFY(err);
    QVERIFY(!contents);
    QCOMPARE(err->domain, G_FILE_ERROR);
    GError** slot = err.out();  // frees the first error, hands out an empty slot
    QVERIFY(slot && !*slot);
    QVERIFY(!err);
    ElementRef none = ElementRef::adopt(gst_parse_launch("pipewright-no-such-element", err.out()));
    QVERIFY(err);
    QCOMPARE(err->domain, GST_PARSE_ERROR);
    ErrorPtr moved = std::move(err);
    QVERIFY(!err);
    QVERIFY(moved);
  }

  void sdpAndSessionDescription() {
    SdpMessagePtr sdp;
    QCOMPARE(gst_sdp_message_new(sdp.out()), GST_SDP_OK);
    QCOMPARE(gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(kSdp), static_cast<guint>(std::strlen(kSdp)), sdp.get()),
             GST_SDP_OK);
    GstSDPMessage* raw = sdp.get();
    // gst_webrtc_session_description_new takes the message over: the owner is empty afterwards.
    WebRtcSessionDescriptionPtr desc = makeSessionDescription(GST_WEBRTC_SDP_TYPE_OFFER, std::move(sdp));
    QVERIFY(!sdp);
    QCOMPARE(desc->sdp, raw);
    SdpMessagePtr other = parseSdp(QString::fromLatin1(kSdp), "offer");
    GstSDPMessage* otherRaw = other.get();
    replaceSdp(desc.get(), std::move(other));  // the first message is freed
    QVERIFY(!other);
    QCOMPARE(desc->sdp, otherRaw);
    QCOMPARE(gst_sdp_message_medias_len(desc->sdp), 1u);
    bool refused = false;
    try {
      parseSdp(QStringLiteral("not an sdp"), "offer");
    } catch (const KurentoException& e) {
      refused = e.error().code == ErrorCode::SdpParseError;
    }
    QVERIFY(refused);
  }

  void iteratorAndScopedValue() {
    ElementRef bin = ElementRef::adopt(gst_bin_new(nullptr));
    GstElement* children[3];
    for (auto& child : children) {
      child = gst_element_factory_make("identity", nullptr);
      gst_bin_add(GST_BIN(bin.get()), child);
    }
    int seen = 0;
    {
      IteratorPtr it = IteratorPtr::adopt(gst_bin_iterate_elements(GST_BIN(bin.get())));
      ScopedValue item;
      while (gst_iterator_next(it.get(), item.get()) == GST_ITERATOR_OK) {
        ++seen;
        g_value_reset(item.get());
      }
    }
    QCOMPARE(seen, 3);
    for (GstElement* child : children) QCOMPARE(GST_OBJECT_REFCOUNT_VALUE(child), 1);  // only the bin's
    ScopedValue d(G_TYPE_DOUBLE);
    g_value_set_double(d.get(), 1.5);
    QCOMPARE(g_value_get_double(d.get()), 1.5);
  }

  void gobjectRefAndWeakRef() {
    auto* raw = static_cast<GObject*>(g_object_new(G_TYPE_OBJECT, nullptr));
    Finalized gone(raw);
    GObjectRef<GObject> a = GObjectRef<GObject>::adopt(raw);
    QCOMPARE(objectRefs(raw), 1u);
    WeakRef<GObject> weak(raw);
    QCOMPARE(objectRefs(raw), 1u);  // a weak ref keeps nothing alive
    {
      GObjectRef<GObject> strong = weak.lock();
      QCOMPARE(strong.get(), raw);
      QCOMPARE(objectRefs(raw), 2u);
      GObjectRef<GObject> copy = strong;
      QCOMPARE(objectRefs(raw), 3u);
    }
    QCOMPARE(objectRefs(raw), 1u);
    WeakRef<GObject> movedWeak = std::move(weak);
    QVERIFY(!weak.lock());
    a.reset();
    QVERIFY(gone());
    QVERIFY(!movedWeak.lock());

    GObjectPtr<GObject> sole(static_cast<GObject*>(g_object_new(G_TYPE_OBJECT, nullptr)));
    Finalized soleGone(sole.get());
    sole.reset();
    QVERIFY(soleGone());
  }

  void resolvedAddressList() {
    GInetAddress* address = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    Finalized gone(address);
    ResolvedAddressListPtr list = ResolvedAddressListPtr::adopt(g_list_append(nullptr, address));
    ResolvedAddressListPtr moved = std::move(list);
    QVERIFY(!list);
    QCOMPARE(g_list_length(moved.get()), 1u);
    moved.reset();  // the list and its addresses
    QVERIFY(gone());
  }

  void signalConnectionDisconnectsOnDestruction() {
    ElementRef e = makeElement("identity");
    int calls = 0;
    int destroyed = 0;
    const guint before = objectRefs(e.get());
    {
      int* data = &calls;
      SignalConnection c = SignalConnection::connect(e.get(), "notify::silent", G_CALLBACK(countCall), data, nullptr);
      QVERIFY(c.id() != 0);
      QVERIFY(c.isConnected());
      QCOMPARE(objectRefs(e.get()), before);  // holds the instance only weakly
      g_object_set(e.get(), "silent", TRUE, nullptr);
      QCOMPARE(calls, 1);
    }
    g_object_set(e.get(), "silent", FALSE, nullptr);
    QCOMPARE(calls, 1);  // gone with the connection

    // The handler's data is freed by its destroy-notify when the connection goes.
    {
      SignalConnection c = SignalConnection::connect(e.get(), "notify::silent", G_CALLBACK(+[](GObject*, GParamSpec*, gpointer) {}),
                                                     &destroyed, countDestroy);
      QCOMPARE(destroyed, 0);
    }
    QCOMPARE(destroyed, 1);
  }

  void signalConnectionMoveAndRelease() {
    ElementRef e = makeElement("identity");
    int calls = 0;
    SignalConnection a = SignalConnection::connect(e.get(), "notify::silent", G_CALLBACK(countCall), &calls, nullptr);
    SignalConnection b = std::move(a);  // the moved-from connection owns nothing
    QCOMPARE(a.id(), gulong(0));
    a.disconnect();
    a = SignalConnection();
    g_object_set(e.get(), "silent", TRUE, nullptr);
    QCOMPARE(calls, 1);
    std::vector<SignalConnection> all;
    all.push_back(std::move(b));
    all.push_back(SignalConnection::connect(e.get(), "notify::silent", G_CALLBACK(countCall), &calls, nullptr));
    g_object_set(e.get(), "silent", FALSE, nullptr);
    QCOMPARE(calls, 3);
    all.clear();
    g_object_set(e.get(), "silent", TRUE, nullptr);
    QCOMPARE(calls, 3);

    // release() leaves the handler connected; a SignalConnection can adopt the id again.
    SignalConnection c = SignalConnection::connect(e.get(), "notify::silent", G_CALLBACK(countCall), &calls, nullptr);
    const gulong id = c.release();
    QVERIFY(!c.isConnected());
    c = SignalConnection();
    g_object_set(e.get(), "silent", FALSE, nullptr);
    QCOMPARE(calls, 4);
    SignalConnection again(e.get(), id);
    QVERIFY(again.isConnected());
    again.disconnect();
    again.disconnect();  // idempotent
    g_object_set(e.get(), "silent", TRUE, nullptr);
    QCOMPARE(calls, 4);

    // A handler someone else disconnected already is left alone (no GLib critical).
    SignalConnection d = SignalConnection::connect(e.get(), "notify::silent", G_CALLBACK(countCall), &calls, nullptr);
    g_signal_handler_disconnect(e.get(), d.id());
    QVERIFY(!d.isConnected());
  }

  void signalConnectionOutlivesItsInstance() {
    int destroyed = 0;
    int calls = 0;
    SignalConnection c;
    {
      ElementRef e = makeElement("identity");
      Finalized gone(e.get());
      c = SignalConnection::connect(e.get(), "notify::silent", G_CALLBACK(countCall), &calls, nullptr);
      static_cast<void>(SignalConnection::connect(e.get(), "notify::silent", G_CALLBACK(countCall), &destroyed, countDestroy).release());
      e.reset();  // the instance goes first: GObject drops its handlers (and runs their notifies)
      QVERIFY(gone());
    }
    QCOMPARE(destroyed, 1);
    QVERIFY(!c.isConnected());
    c.disconnect();  // nothing to do, no critical
    QCOMPARE(calls, 0);
  }
};

QTEST_GUILESS_MAIN(TestGstOwners)
#include "tst_gst_owners.moc"
