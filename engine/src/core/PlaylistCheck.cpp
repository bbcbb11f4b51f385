#include "PlaylistCheck.h"

#include <QRegularExpression>
#include <QUrl>

namespace pw {

bool PlaylistCheck::isPlaylist(const QByteArray& head) {
  QByteArray h = head;
  if (h.startsWith("\xEF\xBB\xBF")) h = h.mid(3);
  return h.trimmed().startsWith("#EXTM3U");
}

QStringList PlaylistCheck::entries(const QByteArray& text) {
  static const QRegularExpression kUriAttribute(QStringLiteral("URI\\s*=\\s*\"([^\"]*)\""),
                                                QRegularExpression::CaseInsensitiveOption);
  QStringList out;
  const QString all = QString::fromUtf8(text);
  for (QString line : all.split(u'\n')) {
    line = line.trimmed();
    if (line.isEmpty()) continue;
    if (line.startsWith(u'#')) {
      for (auto it = kUriAttribute.globalMatch(line); it.hasNext();) out.append(it.next().captured(1).trimmed());
      continue;
    }
    out.append(line);
  }
  return out;
}

QString PlaylistCheck::check(const MediaFolders& folders, const MediaFile& file) {
  int budget = kMaxEntries;
  return checkRecursive(folders, file, 0, &budget);
}

QString PlaylistCheck::checkRecursive(const MediaFolders& folders, const MediaFile& file, int depth, int* budget) {
  if (depth > kMaxDepth) return QStringLiteral("playlists nest deeper than %1 levels").arg(kMaxDepth);
  const QByteArray text = file.readAll(kMaxPlaylistBytes);
  if (text.isEmpty()) {
    return QStringLiteral("playlist '%1' is empty or larger than %2 bytes").arg(file.path()).arg(kMaxPlaylistBytes);
  }
  const QUrl base = QUrl::fromLocalFile(file.path());
  for (const QString& entry : entries(text)) {
    if (--*budget < 0) return QStringLiteral("playlists list more than %1 entries").arg(kMaxEntries);
    const QUrl reference(entry);
    if (!reference.isValid()) return QStringLiteral("playlist '%1' lists an invalid URI '%2'").arg(file.path(), entry);
    const QUrl target = base.resolved(reference);
    if (target.scheme().toLower() != u"file" || (!target.host().isEmpty() && target.host() != u"localhost")) {
      return QStringLiteral("playlist '%1' lists '%2', which is not a file inside the media folders; playlists in "
                            "media folders may only list files inside them (play remote streams by their http(s) "
                            "URI instead)")
          .arg(file.path(), entry);
    }
    QString why;
    const MediaPath where = folders.locatePath(target.path(), &why);
    if (!where.isValid()) return QStringLiteral("playlist '%1' lists '%2': %3").arg(file.path(), entry, why);
    MediaFile item;
    if (folders.open(where, MediaFolders::Access::Read, &item, &why) != MediaFolders::OpenResult::Opened) {
      return QStringLiteral("playlist '%1' lists '%2': %3").arg(file.path(), entry, why);
    }
    if (isPlaylist(item.head(64))) {
      const QString nested = checkRecursive(folders, item, depth + 1, budget);
      if (!nested.isEmpty()) return nested;
    }
  }
  return {};
}

}  // namespace pw
