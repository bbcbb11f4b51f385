// The decisions behind file and remote URI confinement (docs/security.md): RemoteUriPolicy's
// address classes, CIDR and host-name matching; MediaFolders' lexical location and its
// link-refusing open; PlaylistCheck's entries.

#include "core/MediaFolders.h"
#include "core/PlaylistCheck.h"
#include "core/RemoteHostCheck.h"
#include "core/RemoteUriPolicy.h"
#include "pipewright/engine/Config.h"
#include "pipewright/engine/KurentoError.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QJsonObject>
#include <QTest>
#include <QUrl>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace pw;

namespace {

RemoteUriPolicy::AddressClass classOf(const char* text) {
  auto ip = IpAddress::parse(QString::fromLatin1(text));
  if (!ip) qFatal("bad test address %s", text);
  return RemoteUriPolicy::classify(*ip);
}

bool refused(const RemoteUriPolicy& policy, const char* host, const char* address) {
  return policy.refusal(QString::fromLatin1(host), *IpAddress::parse(QString::fromLatin1(address))).has_value();
}

void writeFile(const QString& path, const QByteArray& data) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(data);
}

}  // namespace

class TestUriPolicy : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void addressClasses_data() {
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("expected");
    using C = RemoteUriPolicy::AddressClass;
    const QList<QPair<const char*, C>> rows{
        {"127.0.0.1", C::Loopback},       {"127.255.0.9", C::Loopback},     {"::1", C::Loopback},
        {"::ffff:127.0.0.1", C::Loopback}, {"169.254.169.254", C::LinkLocal}, {"fe80::1", C::LinkLocal},
        {"febf::1", C::LinkLocal},        {"10.0.0.1", C::Private},          {"172.16.0.1", C::Private},
        {"172.31.255.255", C::Private},   {"192.168.1.1", C::Private},       {"fc00::1", C::Private},
        {"fd12:3456::1", C::Private},     {"100.64.0.1", C::Private},        {"0.0.0.0", C::Unspecified},
        {"::", C::Unspecified},           {"224.0.0.251", C::Multicast},     {"239.255.255.250", C::Multicast},
        {"ff02::1", C::Multicast},        {"255.255.255.255", C::Multicast}, {"8.8.8.8", C::Public},
        {"172.32.0.1", C::Public},        {"172.15.255.255", C::Public},     {"2001:db8::1", C::Public},
        {"169.255.0.1", C::Public},       {"[::1]", C::Loopback},
    };
    for (const auto& [address, cls] : rows) QTest::newRow(address) << QString::fromLatin1(address) << static_cast<int>(cls);
  }
  void addressClasses() {
    QFETCH(QString, address);
    QFETCH(int, expected);
    QCOMPARE(static_cast<int>(classOf(address.toLatin1().constData())), expected);
  }

  void unrestrictedAllowsEverything() {
    const RemoteUriPolicy open(false, {});
    QVERIFY(!refused(open, "127.0.0.1", "127.0.0.1"));
    QVERIFY(!refused(open, "metadata", "169.254.169.254"));
  }

  void restrictedRefusesInternalAddresses() {
    const RemoteUriPolicy policy(true, {});
    for (const char* a : {"127.0.0.1", "::1", "169.254.169.254", "10.1.2.3", "192.168.0.10", "fd00::1", "0.0.0.0", "224.1.1.1"}) {
      QVERIFY2(refused(policy, a, a), a);
    }
    QVERIFY(!refused(policy, "8.8.8.8", "8.8.8.8"));
    QVERIFY(!refused(policy, "example.org", "93.184.216.34"));
    const QString why = *policy.refusal(QStringLiteral("intranet"), *IpAddress::parse(QStringLiteral("10.0.0.5")));
    QVERIFY2(why.contains(u"remoteUriAllowedHosts") && why.contains(u"private") && why.contains(u"10.0.0.5"), qPrintable(why));
  }

  void cidrEntries() {
    const RemoteUriPolicy policy(true, {QStringLiteral("10.1.0.0/16"), QStringLiteral("192.168.7.7"),
                                        QStringLiteral("fd00:1::/32"), QStringLiteral("127.0.0.0/8")});
    QVERIFY(!refused(policy, "a", "10.1.200.3"));
    QVERIFY(refused(policy, "a", "10.2.0.1"));
    QVERIFY(!refused(policy, "a", "192.168.7.7"));
    QVERIFY(refused(policy, "a", "192.168.7.8"));
    QVERIFY(!refused(policy, "a", "fd00:1:ffff::1"));
    QVERIFY(refused(policy, "a", "fd00:2::1"));
    QVERIFY(!refused(policy, "a", "127.0.0.1"));
    QVERIFY(!refused(policy, "a", "::ffff:127.0.0.1"));  // mapped IPv4 matches the IPv4 CIDR
    QVERIFY(refused(policy, "a", "::1"));                // IPv6 loopback is not in 127/8
  }

  void oddPrefixLengths() {
    const RemoteUriPolicy policy(true, {QStringLiteral("172.16.0.0/13")});
    QVERIFY(!refused(policy, "a", "172.23.255.255"));
    QVERIFY(refused(policy, "a", "172.24.0.1"));
    const RemoteUriPolicy zero(true, {QStringLiteral("0.0.0.0/0")});
    QVERIFY(!refused(zero, "a", "10.9.9.9"));
    QVERIFY(refused(zero, "a", "fd00::9"));  // an IPv4 CIDR does not match IPv6
  }

  void hostNameEntries() {
    const RemoteUriPolicy policy(true, {QStringLiteral("Media.Example.LAN"), QStringLiteral("cam1")});
    QVERIFY(policy.allowsHostName(QStringLiteral("media.example.lan")));
    QVERIFY(policy.allowsHostName(QStringLiteral("media.example.lan.")));
    QVERIFY(!policy.allowsHostName(QStringLiteral("evil.media.example.lan")));
    QVERIFY(!refused(policy, "cam1", "10.0.0.4"));
    QVERIFY(refused(policy, "cam2", "10.0.0.4"));
  }

  void invalidEntriesAreReported() {
    const RemoteUriPolicy policy(true, {QStringLiteral("10.0.0.0/33"), QStringLiteral("fe80::/200"), QStringLiteral("a b"),
                                        QStringLiteral("ok.host")});
    QCOMPARE(policy.invalidEntries().size(), 3);
  }

  void configDecidesRestriction() {
    Config config;
    QVERIFY(!RemoteUriPolicy::fromConfig(config).restricted());  // 127.0.0.1
    config.listen = QStringLiteral("0.0.0.0");
    QVERIFY(RemoteUriPolicy::fromConfig(config).restricted());
    config.listen = QStringLiteral("::1");
    QVERIFY(!RemoteUriPolicy::fromConfig(config).restricted());
    config.remoteUriPolicy = QStringLiteral("restricted");
    QVERIFY(RemoteUriPolicy::fromConfig(config).restricted());
    QString error;
    QVERIFY(!config.applyJson(QJsonObject{{QStringLiteral("remoteUriPolicy"), QStringLiteral("open")}}, &error));
  }

  void literalHostsNeedNoResolver() {
    const RemoteUriPolicy policy(true, {});
    std::optional<QString> decided;
    QVERIFY(RemoteHostCheck::decideWithoutResolving(policy, QStringLiteral("127.0.0.1"), &decided));
    QVERIFY(decided.has_value());
    QVERIFY(RemoteHostCheck::decideWithoutResolving(policy, QStringLiteral("::1"), &decided));
    QVERIFY(decided.has_value());
    QVERIFY(!RemoteHostCheck::decideWithoutResolving(policy, QStringLiteral("localhost"), &decided));
    QCOMPARE(RemoteUriPolicy::hostOf(QStringLiteral("http://[::1]:8080/x")), QStringLiteral("::1"));
  }

  void asyncResolveRefusesLocalhost() {
    // localhost resolves through /etc/hosts: no packet leaves the machine.
    const RemoteUriPolicy policy(true, {});
    QObject context;
    std::optional<std::optional<QString>> result;
    RemoteHostCheck::start(policy, QStringLiteral("localhost"), &context,
                           [&](const std::optional<QString>& refusal) { result = refusal; });
    QVERIFY(!result.has_value());  // never called from inside start()
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 6000);
    QVERIFY(result->has_value());
    QVERIFY2(result->value().contains(u"loopback"), qPrintable(result->value()));
  }

  void locateIsLexical() {
    const MediaFolders folders({QStringLiteral("/srv/media")});
    const MediaPath p = folders.locate(QStringLiteral("file:///srv/media/a/b.webm"), MediaFolders::Access::Read);
    QCOMPARE(p.root, QStringLiteral("/srv/media"));
    QCOMPARE(p.components, (QStringList{QStringLiteral("a"), QStringLiteral("b.webm")}));
    for (const char* uri : {"file:///srv/media/../etc/passwd", "file:///srv/media/a/%2e%2e/b", "file:///srv/media-x/a",
                            "file:///srv/media", "file:///etc/passwd", "http://srv/media/a", "file://host/srv/media/a"}) {
      QVERIFY_THROWS_EXCEPTION(KurentoException,
                               folders.locate(QString::fromLatin1(uri), MediaFolders::Access::Read));
    }
  }

  void openRefusesLinksAndSpecialFiles() {
    QTemporaryDir media;
    QTemporaryDir outside;
    const QString root = media.path();
    QDir(root).mkpath(QStringLiteral("sub"));
    writeFile(root + QStringLiteral("/sub/ok.webm"), "data");
    writeFile(outside.path() + QStringLiteral("/secret"), "secret");
    QVERIFY(QFile::link(outside.path(), root + QStringLiteral("/linkdir")));
    QVERIFY(QFile::link(outside.path() + QStringLiteral("/secret"), root + QStringLiteral("/link.webm")));
    QVERIFY(QFile::link(QStringLiteral("/dev/zero"), root + QStringLiteral("/zero.webm")));
    QCOMPARE(::mkfifo((root + QStringLiteral("/fifo.webm")).toLocal8Bit().constData(), 0600), 0);
    const MediaFolders folders({root});
    auto open = [&](const QString& rel, MediaFolders::Access access, QString* why) {
      MediaFile file;
      const auto r = folders.open(MediaPath{root, rel.split(u'/')}, access, &file, why);
      if ((r == MediaFolders::OpenResult::Opened) != file.isOpen()) qWarning("open result and descriptor disagree");
      return r;
    };
    QString why;
    QCOMPARE(open(QStringLiteral("sub/ok.webm"), MediaFolders::Access::Read, &why), MediaFolders::OpenResult::Opened);
    QCOMPARE(open(QStringLiteral("sub/missing.webm"), MediaFolders::Access::Read, &why), MediaFolders::OpenResult::Missing);
    QCOMPARE(open(QStringLiteral("nodir/x.webm"), MediaFolders::Access::Write, &why), MediaFolders::OpenResult::Missing);
    QCOMPARE(open(QStringLiteral("linkdir/secret"), MediaFolders::Access::Read, &why), MediaFolders::OpenResult::Refused);
    QVERIFY2(why.contains(u"symbolic link"), qPrintable(why));
    QCOMPARE(open(QStringLiteral("linkdir/new.webm"), MediaFolders::Access::Write, &why), MediaFolders::OpenResult::Refused);
    QCOMPARE(open(QStringLiteral("link.webm"), MediaFolders::Access::Write, &why), MediaFolders::OpenResult::Refused);
    QCOMPARE(open(QStringLiteral("zero.webm"), MediaFolders::Access::Read, &why), MediaFolders::OpenResult::Refused);
    QCOMPARE(open(QStringLiteral("fifo.webm"), MediaFolders::Access::Read, &why), MediaFolders::OpenResult::Refused);
    QVERIFY2(why.contains(u"FIFO"), qPrintable(why));
    QCOMPARE(open(QStringLiteral("fifo.webm"), MediaFolders::Access::Write, &why), MediaFolders::OpenResult::Refused);
    QCOMPARE(open(QStringLiteral("sub"), MediaFolders::Access::Read, &why), MediaFolders::OpenResult::Refused);
    QVERIFY(QFile::exists(outside.path() + QStringLiteral("/secret")));
    QCOMPARE(QDir(outside.path()).entryList(QDir::Files), QStringList{QStringLiteral("secret")});
    // A hard link cannot be told from the original: recording over one is refused.
    QCOMPARE(::link((root + QStringLiteral("/sub/ok.webm")).toLocal8Bit().constData(),
                    (root + QStringLiteral("/hard.webm")).toLocal8Bit().constData()), 0);
    QCOMPARE(open(QStringLiteral("hard.webm"), MediaFolders::Access::Write, &why), MediaFolders::OpenResult::Refused);
    // The descriptor keeps the inode: /proc/self/fd/N still reaches it after a rename.
    MediaFile file;
    QCOMPARE(folders.open(MediaPath{root, {QStringLiteral("new.webm")}}, MediaFolders::Access::Write, &file, &why),
             MediaFolders::OpenResult::Opened);
    QVERIFY(QFile::rename(root + QStringLiteral("/new.webm"), root + QStringLiteral("/moved.webm")));
    QFile viaProc(file.procPath());
    QVERIFY(viaProc.open(QIODevice::WriteOnly));
    viaProc.write("abc");
    viaProc.close();
    QFile moved(root + QStringLiteral("/moved.webm"));
    QVERIFY(moved.open(QIODevice::ReadOnly));
    QCOMPARE(moved.readAll(), QByteArray("abc"));
  }

  void playlists() {
    QVERIFY(PlaylistCheck::isPlaylist("\xEF\xBB\xBF#EXTM3U\n"));
    QVERIFY(PlaylistCheck::isPlaylist("\n  #EXTM3U\n"));
    QVERIFY(!PlaylistCheck::isPlaylist("\x1a\x45\xdf\xa3"));
    const QStringList entries = PlaylistCheck::entries(
        "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\"\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:1,\nseg1.ts\n\nhttp://x/seg2.ts\n");
    QCOMPARE(entries, (QStringList{QStringLiteral("key.bin"), QStringLiteral("init.mp4"), QStringLiteral("seg1.ts"),
                                   QStringLiteral("http://x/seg2.ts")}));
    QTemporaryDir media;
    const QString root = media.path();
    QDir(root).mkpath(QStringLiteral("a/b"));
    writeFile(root + QStringLiteral("/a/b/s.ts"), "ts");
    writeFile(root + QStringLiteral("/a/top.ts"), "ts");
    const MediaFolders folders({root});
    auto check = [&](const QByteArray& text) {
      writeFile(root + QStringLiteral("/a/b/list.m3u8"), text);
      MediaFile file;
      QString why;
      if (folders.open(MediaPath{root, {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("list.m3u8")}},
                       MediaFolders::Access::Read, &file, &why) != MediaFolders::OpenResult::Opened) {
        return why;
      }
      return PlaylistCheck::check(folders, file);
    };
    QCOMPARE(check("#EXTM3U\ns.ts\n../top.ts\n" + QUrl::fromLocalFile(root + QStringLiteral("/a/top.ts")).toEncoded() + "\n"), QString());
    QVERIFY(!check("#EXTM3U\n../../../etc/passwd\n").isEmpty());
    QVERIFY(!check("#EXTM3U\n/etc/passwd\n").isEmpty());
    QVERIFY(!check("#EXTM3U\nfile:///etc/passwd\n").isEmpty());
    QVERIFY(!check("#EXTM3U\nhttp://127.0.0.1/x.ts\n").isEmpty());
    QVERIFY(!check("#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"https://k/\"\ns.ts\n").isEmpty());
    QVERIFY(!check("#EXTM3U\nmissing.ts\n").isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestUriPolicy)
#include "tst_uri_policy.moc"
