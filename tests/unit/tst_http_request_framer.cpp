// HttpRequestFramer: where each request of a keep-alive HTTP/1.1 connection starts and ends,
// whatever way the bytes are cut into reads.
#include "HttpRequestFramer.h"

#include <QtTest>

using namespace pw;

namespace {

// Feeds `stream` in pieces of `chunk` bytes; the body length of each head is its Content-Length.
QList<QByteArray> heads(const QByteArray& stream, qsizetype chunk) {
  HttpRequestFramer framer(16 * 1024);
  QList<QByteArray> found;
  for (qsizetype at = 0; at < stream.size(); at += chunk) {
    framer.append(stream.mid(at, chunk));
    while (std::optional<QByteArray> head = framer.nextHead()) {
      found.append(*head);
      const qsizetype at = head->toLower().indexOf("content-length:");
      qint64 length = 0;
      if (at >= 0) length = head->mid(at + 15, head->indexOf('\r', at) - at - 15).trimmed().toLongLong();
      framer.skipBody(length);
    }
  }
  return found;
}

}  // namespace

class TestHttpRequestFramer : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void findsEveryHeadAcrossAnySplit() {
    const QByteArray body(300, 'x');
    // The second request's body holds what looks like a request: it must not be taken for one.
    const QByteArray hidden = "GET /hidden HTTP/1.1\r\nHost: x\r\n\r\n";
    const QByteArray stream = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                              "POST /a HTTP/1.1\r\nContent-Length: " + QByteArray::number(body.size() + hidden.size()) +
                              "\r\n\r\n" + body + hidden +
                              "\r\n"  // a stray empty line between requests is allowed
                              "GET /last HTTP/1.1\r\nHost: x\r\n\r\n";
    for (qsizetype chunk : {1, 2, 3, 7, 64, 333, 100000}) {
      const QList<QByteArray> found = heads(stream, chunk);
      QCOMPARE(found.size(), 3);
      QVERIFY(found[0].startsWith("GET / "));
      QVERIFY(found[1].startsWith("POST /a "));
      QVERIFY(found[2].startsWith("GET /last "));
    }
  }

  void holdsTheNextHeadUntilTheBodyLengthIsKnown() {
    HttpRequestFramer framer(1024);
    framer.append("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcdGET /x HTTP/1.1\r\n\r\n");
    QVERIFY(framer.nextHead().has_value());
    QVERIFY(!framer.nextHead().has_value());  // skipBody() not called yet
    QVERIFY(framer.bodyArriving());
    framer.skipBody(4);
    QVERIFY(!framer.bodyArriving());
    const std::optional<QByteArray> next = framer.nextHead();
    QVERIFY(next.has_value());
    QCOMPARE(*next, QByteArray("GET /x HTTP/1.1"));
  }

  void reportsABodyStillArriving() {
    HttpRequestFramer framer(1024);
    framer.append("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    QVERIFY(framer.nextHead().has_value());
    framer.skipBody(10);
    QVERIFY(framer.bodyArriving());
    framer.append("defghij");
    QVERIFY(!framer.bodyArriving());
  }

  void flagsAnOverlongHead() {
    HttpRequestFramer framer(100);
    framer.append("GET / HTTP/1.1\r\nX-Long: " + QByteArray(200, 'a'));
    QVERIFY(!framer.nextHead().has_value());
    QVERIFY(framer.headTooLarge());
    // A long body is not a long head.
    HttpRequestFramer body(100);
    body.append("POST / HTTP/1.1\r\nContent-Length: 500\r\n\r\n");
    QVERIFY(body.nextHead().has_value());
    body.skipBody(500);
    body.append(QByteArray(500, 'b'));
    QVERIFY(!body.headTooLarge());
    QVERIFY(!body.nextHead().has_value());
  }
};

QTEST_GUILESS_MAIN(TestHttpRequestFramer)
#include "tst_http_request_framer.moc"
