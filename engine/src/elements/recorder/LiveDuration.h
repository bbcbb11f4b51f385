#pragma once

// Keeps the duration a recording's header states at the length of the media already in the
// file, so that a recording whose server was killed (SIGKILL, crash, power loss) states a duration
// players can trust.
//
// The muxers write their header when recording starts, before the length is known, and the real
// duration only when they finish: matroskamux/webmmux write a Duration of 0.0 (invalid, so
// demuxers guess from the start of the last cluster), mp4mux's fragmented MP4 a `mehd` of 0 (so
// qtdemux reports the end of the first fragment). LiveDuration watches what reaches the filesink:
// it finds the duration field in the header bytes, follows the timestamps of the media buffers
// written after it, and rewrites the field in place (pwrite on the recording's own descriptor)
// whenever the media on disk has grown by kStep. Everything runs on the streaming thread that
// feeds the filesink, so no rewrite can land between the muxer's own writes; stop() is called
// before the muxer is told to finish, and from then on the muxer's exact value is the last word.

#include "core/MediaFile.h"

#include <QByteArray>
#include <QByteArrayView>

#include <gst/gst.h>

#include <atomic>
#include <memory>

namespace pw {

class LiveDuration {
 public:
  enum class Container { Matroska, Mp4 };

  // Where the duration is in the file and how it is encoded.
  struct Field {
    qint64 offset = 0;     // of the value's first byte
    int size = 0;          // Matroska: 4 or 8 (float); MP4 `mehd`: 4 or 8 (unsigned)
    quint64 scale = 0;     // Matroska: nanoseconds per tick (TimecodeScale); MP4: ticks per second
  };
  enum class Search { Found, NeedMore, Absent };

  // Looks for the duration field in the first bytes of a file. NeedMore: the header is not
  // complete in `head` yet; Absent: this header has no such field (nothing to keep up to date).
  static Search find(Container container, QByteArrayView head, Field* out);
  // The bytes to write at field.offset for a duration of `ns` nanoseconds.
  static QByteArray encode(Container container, const Field& field, quint64 ns);

  static constexpr GstClockTime kStep = 250 * GST_MSECOND;  // rewrite at most this often (media time)
  static constexpr qsizetype kHeadLimit = 64 * 1024;         // header bytes searched at most

  LiveDuration(Container container, std::shared_ptr<MediaFile> file);

  // Watches the data and byte-position events reaching `sinkPad`, the pad of a filesink that
  // writes unbuffered (buffer-mode 2): a userspace buffer would later overwrite the rewritten
  // field with the muxer's placeholder. The probe holds a reference; the caller keeps one to
  // call stop().
  static std::shared_ptr<LiveDuration> attach(GstPad* sinkPad, Container container, std::shared_ptr<MediaFile> file);
  // No more rewrites (any thread): the muxer is about to write the final duration.
  void stop() { stopped_.store(true); }

 private:
  GstPadProbeReturn onProbe(GstPadProbeInfo* info);
  void onBuffer(GstBuffer* buffer);
  void collectHeader(GstBuffer* buffer);

  const Container container_;
  const std::shared_ptr<MediaFile> file_;
  std::atomic<bool> stopped_{false};
  // Streaming thread only.
  QByteArray head_;
  Search search_ = Search::NeedMore;
  Field field_;
  quint64 position_ = 0;                        // file offset of the next byte the sink writes
  GstClockTime end_ = GST_CLOCK_TIME_NONE;      // end of the media in the buffers handed to the sink
  GstClockTime published_ = 0;                  // the duration the header states
};

}  // namespace pw
