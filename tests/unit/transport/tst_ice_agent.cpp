// IceAgent and MediaLoop with the real libnice on loopback: two agents (controlling and
// controlled) exchange credentials and candidates, connect, and carry datagrams both ways; the
// pool's thread count does not grow with agents.

#include "transport/IceAgent.h"
#include "transport/MediaThreadPool.h"

#include <QtTest>

#include <condition_variable>
#include <dirent.h>
#include <mutex>

using namespace pw::transport;

namespace {

// Waits on the test thread for a condition set on a media thread.
struct Flag {
  std::mutex mutex;
  std::condition_variable cv;
  int value = 0;
  void add(int n = 1) {
    std::lock_guard lock(mutex);
    value += n;
    cv.notify_all();
  }
  bool waitFor(int atLeast, int ms) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return value >= atLeast; });
  }
};

int threadCount() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

template <typename F>
void runOn(MediaLoop& loop, F fn) {
  Flag done;
  loop.post([&] {
    fn();
    done.add();
  });
  QVERIFY(done.waitFor(1, 5000));
}

}  // namespace

class TestIceAgent : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void connectsOnLoopbackAndCarriesData();
  void refusesGarbageCandidates();
  void loopRunsPostedTasksAndTimers();
  void poolThreadsAreFixed();
  void agentsAreFinalized();
};

// Every libnice agent is finalized when its IceAgent goes, connected or not (the soak test saw
// memory grow per WebRTC session).
void TestIceAgent::agentsAreFinalized() {
  MediaLoop loop("ice-final");
  static std::atomic<int> finalized{0};
  finalized = 0;
  constexpr int kAgents = 10;
  runOn(loop, [&] {
    for (int i = 0; i < kAgents; ++i) {
      IceAgent a(loop, IceAgent::Settings{.controlling = (i % 2) == 0, .localAddresses = {"127.0.0.1"}}, IceAgent::Callbacks{});
      std::string error;
      QVERIFY(a.start(&error));
      QVERIFY(a.gather());
      a.setRemoteCredentials("abcd", "0123456789012345678901");
      QVERIFY(a.addRemoteCandidate("candidate:1 1 UDP 2122252543 127.0.0.1 9 typ host"));
      g_object_weak_ref(G_OBJECT(a.niceAgent()), [](gpointer, GObject*) { ++finalized; }, nullptr);
    }
  });
  QTest::qWait(200);  // timers the agents left behind run or go
  runOn(loop, [] {});
  QCOMPARE(finalized.load(), kAgents);
}

void TestIceAgent::connectsOnLoopbackAndCarriesData() {
  MediaLoop loop("ice-test");
  Flag connected, received, gathered;
  std::mutex mutex;
  std::vector<std::string> candidatesA, candidatesB;
  std::string payloadAtB, payloadAtA;
  std::unique_ptr<IceAgent> a, b;
  auto callbacks = [&](std::vector<std::string>* candidates, std::string* payload) {
    IceAgent::Callbacks cb;
    cb.localCandidate = [&, candidates](const std::string& line) {
      std::lock_guard lock(mutex);
      candidates->push_back(line);
    };
    cb.gatheringDone = [&] { gathered.add(); };
    cb.stateChanged = [&](IceAgent::State s) {
      if (s == IceAgent::State::Ready) connected.add();
    };
    cb.received = [&, payload](const uint8_t* data, size_t size) {
      *payload = std::string(reinterpret_cast<const char*>(data), size);
      received.add();
    };
    return cb;
  };
  IceAgent::Settings sa;
  sa.controlling = true;
  sa.localAddresses = {"127.0.0.1"};
  IceAgent::Settings sb = sa;
  sb.controlling = false;
  runOn(loop, [&] {
    a = std::make_unique<IceAgent>(loop, sa, callbacks(&candidatesA, &payloadAtA));
    b = std::make_unique<IceAgent>(loop, sb, callbacks(&candidatesB, &payloadAtB));
    std::string error;
    QVERIFY2(a->start(&error), error.c_str());
    QVERIFY2(b->start(&error), error.c_str());
    QVERIFY(a->localUfrag().size() >= 4 && a->localPassword().size() >= 22);
    QVERIFY(a->localUfrag() != b->localUfrag());
    a->setRemoteCredentials(b->localUfrag(), b->localPassword());
    b->setRemoteCredentials(a->localUfrag(), a->localPassword());
    QVERIFY(a->gather());
    QVERIFY(b->gather());
  });
  QVERIFY(gathered.waitFor(2, 5000));
  runOn(loop, [&] {
    QVERIFY(!candidatesA.empty() && !candidatesB.empty());
    for (const auto& c : candidatesA) {
      QVERIFY2(c.rfind("candidate:", 0) == 0, c.c_str());
      QVERIFY2(c.find("127.0.0.1") != std::string::npos, c.c_str());  // only the configured address
      QVERIFY(b->addRemoteCandidate(c));
    }
    for (const auto& c : candidatesB) QVERIFY(a->addRemoteCandidate(c));
    a->remoteGatheringDone();
    b->remoteGatheringDone();
  });
  QVERIFY2(connected.waitFor(2, 10000), "both agents reach READY");
  runOn(loop, [&] {
    const std::string hello = "hello from A";
    QVERIFY(a->send(reinterpret_cast<const uint8_t*>(hello.data()), hello.size()));
    const std::string back = "and back from B";
    QVERIFY(b->send(reinterpret_cast<const uint8_t*>(back.data()), back.size()));
    QCOMPARE(a->socketCount(), 1);  // one UDP socket on the one configured address
    // Its MediaPortFilter, reattached with the peer's address once the pair was selected (the
    // datagrams above still arrive).
    QCOMPARE(a->filteredSocketCount(), 1);
    QCOMPARE(b->filteredSocketCount(), 1);
  });
  QVERIFY(received.waitFor(2, 5000));
  runOn(loop, [&] {
    QCOMPARE(payloadAtB, std::string("hello from A"));
    QCOMPARE(payloadAtA, std::string("and back from B"));
    a.reset();
    b.reset();
  });
}

void TestIceAgent::refusesGarbageCandidates() {
  MediaLoop loop("ice-garbage");
  runOn(loop, [&] {
    IceAgent agent(loop, IceAgent::Settings{.localAddresses = {"127.0.0.1"}}, {});
    std::string error;
    QVERIFY(agent.start(&error));
    agent.setRemoteCredentials("abcd", "0123456789012345678901");
    QVERIFY(!agent.addRemoteCandidate("candidate:garbage"));
    QVERIFY(!agent.addRemoteCandidate(""));
    QVERIFY(!agent.addRemoteCandidate(std::string(5000, 'x')));
    QVERIFY(agent.addRemoteCandidate("candidate:1 1 UDP 2122252543 127.0.0.1 9 typ host"));
    const uint8_t byte = 1;
    QVERIFY(!agent.send(&byte, 1));  // not connected: refused, no crash
  });
}

void TestIceAgent::loopRunsPostedTasksAndTimers() {
  MediaLoop loop("loop-test");
  Flag ran, ticks;
  for (int i = 0; i < 100; ++i) loop.post([&] { ran.add(); });
  QVERIFY(ran.waitFor(100, 5000));
  int count = 0;
  loop.addTimer(5, [&] {
    ticks.add();
    return ++count < 3;
  });
  QVERIFY(ticks.waitFor(3, 5000));
  bool onLoop = false;
  runOn(loop, [&] { onLoop = loop.isCurrentThread(); });
  QVERIFY(onLoop);
  QVERIFY(!loop.isCurrentThread());
}

void TestIceAgent::poolThreadsAreFixed() {
  const int before = threadCount();
  MediaThreadPool pool(2);
  QCOMPARE(pool.size(), 2);
  const int withPool = threadCount();
  QVERIFY(withPool - before <= 2);
  std::vector<std::unique_ptr<IceAgent>> agents;
  MediaLoop& loop = pool.leastLoaded();
  runOn(loop, [&] {
    for (int i = 0; i < 20; ++i) {
      agents.push_back(std::make_unique<IceAgent>(loop, IceAgent::Settings{.localAddresses = {"127.0.0.1"}}, IceAgent::Callbacks{}));
      std::string error;
      QVERIFY(agents.back()->start(&error));
      QVERIFY(agents.back()->gather());
    }
  });
  QTest::qWait(300);
  QCOMPARE(threadCount(), withPool);  // 20 agents gathering: no new thread
  runOn(loop, [&] { agents.clear(); });
}

QTEST_GUILESS_MAIN(TestIceAgent)
#include "tst_ice_agent.moc"
