// TransportWarmUp: the startup exchange that takes the first session's one-time costs (OpenSSL's
// first handshake, srtp_init, libnice's first agent) runs to the end on a real media loop, with a
// real certificate, and sends nothing on any network (it opens no socket).

#include "transport/DtlsContext.h"
#include "transport/MediaLoop.h"
#include "transport/TransportWarmUp.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <dirent.h>
#include <thread>

using namespace pw::transport;

namespace {

int socketCount() {
  int n = 0;
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  while (dirent* e = readdir(dir)) {
    char target[256] = {};
    const std::string path = std::string("/proc/self/fd/") + e->d_name;
    const ssize_t len = readlink(path.c_str(), target, sizeof target - 1);
    if (len > 0 && std::string(target, static_cast<size_t>(len)).rfind("socket:", 0) == 0) ++n;
  }
  closedir(dir);
  return n;
}

}  // namespace

class TestTransportWarmUp : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void handshakeAndSrtpCompleteWithoutSockets() {
    std::string error;
    const std::string pem = DtlsContext::generateCertificatePem(&error);
    QVERIFY2(!pem.empty(), error.c_str());
    const auto context = DtlsContext::create(pem, &error);
    QVERIFY2(context, error.c_str());
    MediaLoop loop("warm-up-test");
    const int socketsBefore = socketCount();
    std::atomic<int> result{-1};
    std::atomic<int> socketsDuring{-1};
    loop.post([&] {
      result = TransportWarmUp::run(loop, context) ? 1 : 0;
      socketsDuring = socketCount();
    });
    for (int i = 0; i < 500 && result < 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    QCOMPARE(result.load(), 1);
    QCOMPARE(socketsDuring.load(), socketsBefore);
  }

  void queuedStartReturnsAtOnceAndFinishes() {
    std::string error;
    const auto context = DtlsContext::create(DtlsContext::generateCertificatePem(&error), &error);
    QVERIFY(context);
    MediaLoop loop("warm-up-start");
    TransportWarmUp::start(loop, context);
    std::atomic<bool> after{false};
    loop.post([&] { after = true; });  // runs once the warm-up task has returned
    for (int i = 0; i < 500 && !after; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    QVERIFY(after.load());
  }
};

QTEST_APPLESS_MAIN(TestTransportWarmUp)
#include "tst_transport_warm_up.moc"
