// Reaper (engine/src/gst): background teardown with real GStreamer elements. Issue 10: jobs that
// wait for EOS used to run one after the other, so eight recorders whose muxer never finished
// took eight seconds to close and held their descriptors all that time; now their waits overlap.
// Also: an EOS that arrives ends its wait at once, `after` sees its element NULL, drain() waits
// for everything, the worker pool stays bounded and ends when idle, and a refusal by the
// ResourceGuard names the teardowns still pending.

#include "core/ResourceGuard.h"
#include "gst/GstRef.h"
#include "gst/Reaper.h"
#include "pipewright/engine/Config.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/KurentoError.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <functional>
#include <mutex>
#include <vector>

#include <gst/app/gstappsrc.h>

#include <sys/resource.h>

using namespace pw;

namespace {

// What a recorder's session looks like to the Reaper: a bin inside a playing pipeline whose
// last element's sink pad is where EOS is awaited. Here an appsrc that never gets data (so EOS
// only comes when the test sends it) feeds identity and fakesink.
struct Retiree {
  ElementRef pipeline;
  ElementRef bin;
  ElementRef appsrc;
  PadRef sinkPad;
};

Retiree makeRetiree() {
  Retiree r;
  r.pipeline = ElementRef::adopt(gst_pipeline_new(nullptr));
  r.bin = ElementRef::addRef(gst_bin_new(nullptr));
  GstElement* src = gst_element_factory_make("appsrc", nullptr);
  GstElement* identity = gst_element_factory_make("identity", nullptr);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  g_object_set(sink, "async", FALSE, "sync", FALSE, nullptr);
  gst_bin_add_many(GST_BIN(r.bin.get()), src, identity, sink, nullptr);
  gst_element_link_many(src, identity, sink, nullptr);
  gst_bin_add(GST_BIN(r.pipeline.get()), r.bin.get());
  r.appsrc = ElementRef::addRef(src);
  r.sinkPad = PadRef::adopt(gst_element_get_static_pad(sink, "sink"));
  gst_element_set_state(r.pipeline.get(), GST_STATE_PLAYING);
  return r;
}

// When each `after` ran (ms since the test's start) and whether its element was NULL by then.
struct Finished {
  std::mutex mutex;
  std::vector<qint64> atMs;
  bool allNull = true;

  std::function<void()> recorder(const QElapsedTimer& clock, GstElement* element) {
    return [this, &clock, element]() {
      GstState state = GST_STATE_VOID_PENDING;
      gst_element_get_state(element, &state, nullptr, 0);
      std::lock_guard lock(mutex);
      atMs.push_back(clock.elapsed());
      if (state != GST_STATE_NULL) allNull = false;
    };
  }
  int count() {
    std::lock_guard lock(mutex);
    return static_cast<int>(atMs.size());
  }
};

}  // namespace

class TestReaper : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { gst_init(nullptr, nullptr); }

  void cleanup() {
    QVERIFY(Reaper::instance().drain(10000));
    QCOMPARE(Reaper::instance().pending(), 0);
  }

  // Eight jobs whose EOS never comes, each allowed 1 s: their waits overlap, so all are done in
  // about 1 s, not 8 (the bound of 3 s proves the overlap, it is no performance figure).
  void eosWaitsOverlap() {
    constexpr int kJobs = 8;
    std::vector<Retiree> retirees;
    for (int i = 0; i < kJobs; ++i) retirees.push_back(makeRetiree());
    Finished finished;
    QElapsedTimer clock;
    clock.start();
    for (auto& r : retirees) {
      Reaper::instance().retire(r.bin, r.sinkPad, 1000, finished.recorder(clock, r.bin.get()));
    }
    QVERIFY(Reaper::instance().pending() > 0);
    QVERIFY(Reaper::instance().workers() <= Reaper::kMaxWorkers);
    while (finished.count() < kJobs && clock.elapsed() < 9000) QTest::qWait(20);
    const qint64 drainedAt = clock.elapsed();
    QVERIFY(Reaper::instance().drain(5000));
    QCOMPARE(finished.count(), kJobs);
    QVERIFY(finished.allNull);
    const auto [first, last] = std::minmax_element(finished.atMs.begin(), finished.atMs.end());
    qInfo("8 waits of 1 s without EOS: first done at %lld ms, last at %lld ms", *first, *last);
    QVERIFY2(*first >= 900, "a job ran before its wait was over");  // the wait is still honoured
    QVERIFY2(*last < 3000, qPrintable(QStringLiteral("the last of 8 overlapping 1 s waits ended at %1 ms").arg(*last)));
    QVERIFY(drainedAt < 3000);
    for (auto& r : retirees) {
      QVERIFY(!GST_OBJECT_PARENT(r.bin.get()));  // taken out of its pipeline at once
      gst_element_set_state(r.pipeline.get(), GST_STATE_NULL);
    }
  }

  // An EOS that arrives ends its job's wait at once, even with others still waiting before it.
  void eosEndsTheWaitEarly() {
    std::vector<Retiree> slow;
    for (int i = 0; i < 3; ++i) slow.push_back(makeRetiree());
    Retiree quick = makeRetiree();
    Finished slowDone;
    Finished quickDone;
    QElapsedTimer clock;
    clock.start();
    for (auto& r : slow) Reaper::instance().retire(r.bin, r.sinkPad, 1000, slowDone.recorder(clock, r.bin.get()));
    Reaper::instance().retire(quick.bin, quick.sinkPad, 5000, quickDone.recorder(clock, quick.bin.get()));
    QTest::qWait(100);
    QCOMPARE(quickDone.count(), 0);  // waiting for its EOS
    QCOMPARE(gst_app_src_end_of_stream(GST_APP_SRC(quick.appsrc.get())), GST_FLOW_OK);
    while (quickDone.count() < 1 && clock.elapsed() < 7000) QTest::qWait(10);
    QCOMPARE(quickDone.count(), 1);
    qInfo("EOS sent at ~100 ms to a job allowed 5 s: done at %lld ms", quickDone.atMs[0]);
    QVERIFY2(quickDone.atMs[0] < 800, qPrintable(QStringLiteral("done at %1 ms").arg(quickDone.atMs[0])));
    QVERIFY(quickDone.allNull);
    QVERIFY(Reaper::instance().drain(5000));
    QCOMPARE(slowDone.count(), 3);
    for (auto& r : slow) gst_element_set_state(r.pipeline.get(), GST_STATE_NULL);
    gst_element_set_state(quick.pipeline.get(), GST_STATE_NULL);
  }

  // EOS that passed before the job was queued does not make it wait.
  void eosBeforeRetire() {
    Retiree r = makeRetiree();
    QCOMPARE(gst_app_src_end_of_stream(GST_APP_SRC(r.appsrc.get())), GST_FLOW_OK);
    QTRY_VERIFY_WITH_TIMEOUT(GST_PAD_IS_EOS(r.sinkPad.get()), 5000);
    Finished done;
    QElapsedTimer clock;
    clock.start();
    Reaper::instance().retire(r.bin, r.sinkPad, 5000, done.recorder(clock, r.bin.get()));
    QVERIFY(Reaper::instance().drain(5000));
    QCOMPARE(done.count(), 1);
    QVERIFY2(done.atMs[0] < 800, qPrintable(QStringLiteral("done at %1 ms").arg(done.atMs[0])));
    gst_element_set_state(r.pipeline.get(), GST_STATE_NULL);
  }

  // Jobs without a wait, many at once: all run, on at most kMaxWorkers threads, and the
  // workers end once idle (the spare ones first).
  void workersBoundedAndEndWhenIdle() {
    std::vector<Retiree> retirees;
    for (int i = 0; i < 20; ++i) retirees.push_back(makeRetiree());
    Finished finished;
    QElapsedTimer clock;
    clock.start();
    for (auto& r : retirees) {
      Reaper::instance().retire(r.bin, {}, 0, finished.recorder(clock, r.bin.get()));
      QVERIFY(Reaper::instance().workers() <= Reaper::kMaxWorkers);
    }
    QVERIFY(Reaper::instance().drain(5000));
    QCOMPARE(finished.count(), 20);
    QVERIFY(finished.allNull);
    // Spare workers go soon after the burst, the last one later.
    QTRY_VERIFY_WITH_TIMEOUT(Reaper::instance().workers() <= 1, Reaper::kSpareIdleExitMs + 1500);
    QTRY_COMPARE_WITH_TIMEOUT(Reaper::instance().workers(), 0, Reaper::kIdleExitMs + 3000);
    for (auto& r : retirees) gst_element_set_state(r.pipeline.get(), GST_STATE_NULL);
    // And work after that starts a worker again.
    Retiree again = makeRetiree();
    Finished done;
    Reaper::instance().retire(again.bin, {}, 0, done.recorder(clock, again.bin.get()));
    QVERIFY(Reaper::instance().drain(5000));
    QCOMPARE(done.count(), 1);
    gst_element_set_state(again.pipeline.get(), GST_STATE_NULL);
  }

  // A refusal for want of descriptors names the teardowns still holding some ("19937 of 20000
  // open or will be used" said nothing about the backlog behind it).
  void refusalNamesPendingTeardowns() {
    Engine engine(Config{});
    ResourceGuard guard;
    std::vector<Retiree> retirees;
    for (int i = 0; i < 3; ++i) retirees.push_back(makeRetiree());
    for (auto& r : retirees) Reaper::instance().retire(r.bin, r.sinkPad, 3000);
    QCOMPARE(Reaper::instance().pending(), 3);

    rlimit saved{};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(ResourceGuard::openFds() + ResourceGuard::kReserveFds / 2);
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &low), 0);
    QString message;
    try {
      guard.check(QStringLiteral("RecorderEndpoint"), QStringLiteral("RecorderEndpoint"), engine.registry());
    } catch (const KurentoException& e) {
      message = e.error().message;
    }
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &saved), 0);
    qInfo("refusal: %s", qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("(3 released elements still being closed hold some of them)")),
             qPrintable(message));

    // Once they are closed, the message no longer mentions them.
    for (auto& r : retirees) QCOMPARE(gst_app_src_end_of_stream(GST_APP_SRC(r.appsrc.get())), GST_FLOW_OK);
    QVERIFY(Reaper::instance().drain(5000));
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &low), 0);
    message.clear();
    try {
      guard.check(QStringLiteral("RecorderEndpoint"), QStringLiteral("RecorderEndpoint"), engine.registry());
    } catch (const KurentoException& e) {
      message = e.error().message;
    }
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &saved), 0);
    QVERIFY2(message.contains(QLatin1String("RLIMIT_NOFILE")) && !message.contains(QLatin1String("still being closed")),
             qPrintable(message));
    for (auto& r : retirees) gst_element_set_state(r.pipeline.get(), GST_STATE_NULL);
  }
};

QTEST_GUILESS_MAIN(TestReaper)
#include "tst_reaper.moc"
