#include "LiveDuration.h"

#include <QtEndian>

#include <algorithm>
#include <bit>
#include <limits>

namespace pw {
namespace {

using Search = LiveDuration::Search;
using Field = LiveDuration::Field;

quint8 byteAt(QByteArrayView d, qsizetype pos) { return static_cast<quint8>(d[pos]); }

quint64 readBigEndian(QByteArrayView d, qsizetype pos, int size) {
  quint64 v = 0;
  for (int i = 0; i < size; ++i) v = (v << 8) | byteAt(d, pos + i);
  return v;
}

// --- Matroska (EBML) ---------------------------------------------------------------------------

constexpr quint64 kEbmlHeaderId = 0x1A45DFA3;
constexpr quint64 kSegmentId = 0x18538067;
constexpr quint64 kInfoId = 0x1549A966;
constexpr quint64 kTimecodeScaleId = 0x2AD7B1;
constexpr quint64 kDurationId = 0x4489;
constexpr quint64 kClusterId = 0x1F43B675;
constexpr quint64 kDefaultTimecodeScale = 1000000;  // ns per tick when the header does not say

struct Element {
  quint64 id = 0;
  quint64 size = 0;
  bool unknownSize = false;
  qsizetype body = 0;  // offset of the element's data
};

// An EBML variable-length integer at `pos`: its length from the leading zero bits (1..8).
// IDs keep their length marker, sizes do not; a size of all ones means "unknown".
Search readVint(QByteArrayView d, qsizetype pos, bool isId, quint64* value, int* length, bool* allOnes) {
  if (pos >= d.size()) return Search::NeedMore;
  const quint8 first = byteAt(d, pos);
  if (first == 0) return Search::Absent;  // longer than 8 bytes: not something a muxer writes
  const int n = std::countl_zero(first) + 1;
  if ((isId && n > 4) || pos + n > d.size()) return n > 4 && isId ? Search::Absent : Search::NeedMore;
  const quint8 marker = static_cast<quint8>(0x80u >> (n - 1));
  quint64 v = isId ? first : (first & (marker - 1));
  bool ones = (first & (marker - 1)) == (marker - 1);
  for (int i = 1; i < n; ++i) {
    v = (v << 8) | byteAt(d, pos + i);
    ones = ones && byteAt(d, pos + i) == 0xFF;
  }
  *value = v;
  *length = n;
  *allOnes = ones;
  return Search::Found;
}

Search readElement(QByteArrayView d, qsizetype pos, Element* e) {
  quint64 id = 0, size = 0;
  int idLength = 0, sizeLength = 0;
  bool ones = false;
  if (const Search s = readVint(d, pos, true, &id, &idLength, &ones); s != Search::Found) return s;
  if (const Search s = readVint(d, pos + idLength, false, &size, &sizeLength, &ones); s != Search::Found) return s;
  e->id = id;
  e->size = size;
  e->unknownSize = ones;
  e->body = pos + idLength + sizeLength;
  return Search::Found;
}

// EBML header, then the Segment's children up to its Info: TimecodeScale and Duration.
Search findMatroska(QByteArrayView d, Field* out) {
  Element e;
  if (const Search s = readElement(d, 0, &e); s != Search::Found) return s;
  if (e.id != kEbmlHeaderId || e.unknownSize) return Search::Absent;
  qsizetype pos = e.body + static_cast<qsizetype>(e.size);
  if (const Search s = readElement(d, pos, &e); s != Search::Found) return s;
  if (e.id != kSegmentId) return Search::Absent;
  pos = e.body;
  for (;;) {
    if (const Search s = readElement(d, pos, &e); s != Search::Found) return s;
    if (e.id == kClusterId || e.unknownSize || e.size > static_cast<quint64>(LiveDuration::kHeadLimit)) {
      return Search::Absent;  // media before any Info, or nothing we can step over
    }
    const qsizetype end = e.body + static_cast<qsizetype>(e.size);
    if (e.id != kInfoId) {
      pos = end;
      continue;
    }
    if (end > d.size()) return Search::NeedMore;
    quint64 scale = kDefaultTimecodeScale;
    qsizetype durationAt = -1;
    int durationSize = 0;
    for (qsizetype p = e.body; p < end;) {
      Element c;
      if (readElement(d.first(end), p, &c) != Search::Found || c.unknownSize) return Search::Absent;
      const qsizetype cEnd = c.body + static_cast<qsizetype>(c.size);
      if (cEnd > end) return Search::Absent;
      if (c.id == kTimecodeScaleId && c.size >= 1 && c.size <= 8) {
        scale = readBigEndian(d, c.body, static_cast<int>(c.size));
      } else if (c.id == kDurationId && (c.size == 4 || c.size == 8)) {
        durationAt = c.body;
        durationSize = static_cast<int>(c.size);
      }
      p = cEnd;
    }
    if (durationAt < 0 || scale == 0) return Search::Absent;
    *out = Field{durationAt, durationSize, scale};
    return Search::Found;
  }
}

// --- MP4 (ISO BMFF) ----------------------------------------------------------------------------

struct Box {
  quint32 type = 0;
  qsizetype start = 0;
  qsizetype body = 0;  // after the size and type (and the 64-bit size)
  qsizetype end = 0;
};

constexpr quint32 fourcc(const char (&s)[5]) {
  return (quint32(quint8(s[0])) << 24) | (quint32(quint8(s[1])) << 16) | (quint32(quint8(s[2])) << 8) | quint8(s[3]);
}

Search readBox(QByteArrayView d, qsizetype pos, qsizetype limit, Box* b) {
  if (pos + 8 > d.size()) return Search::NeedMore;
  quint64 size = readBigEndian(d, pos, 4);
  b->type = static_cast<quint32>(readBigEndian(d, pos + 4, 4));
  b->start = pos;
  b->body = pos + 8;
  if (size == 1) {
    if (pos + 16 > d.size()) return Search::NeedMore;
    size = readBigEndian(d, pos + 8, 8);
    b->body = pos + 16;
  }
  if (size == 0 || size < static_cast<quint64>(b->body - pos) || size > static_cast<quint64>(limit - pos)) {
    return Search::Absent;  // to the end of the file (never a header box), or broken
  }
  b->end = pos + static_cast<qsizetype>(size);
  return Search::Found;
}

// ftyp, then moov: the movie timescale from mvhd and the fragment duration of mvex/mehd.
Search findMp4(QByteArrayView d, Field* out) {
  constexpr qsizetype kNoLimit = std::numeric_limits<qsizetype>::max() / 2;
  for (qsizetype pos = 0;;) {
    Box box;
    if (const Search s = readBox(d, pos, kNoLimit, &box); s != Search::Found) return s;
    if (box.type == fourcc("moof") || box.type == fourcc("mdat")) return Search::Absent;
    if (box.type != fourcc("moov")) {
      pos = box.end;
      continue;
    }
    if (box.end - box.start > LiveDuration::kHeadLimit) return Search::Absent;
    if (box.end > d.size()) return Search::NeedMore;
    quint64 timescale = 0;
    Field mehd;
    for (qsizetype p = box.body; p < box.end;) {
      Box child;
      if (readBox(d, p, box.end, &child) != Search::Found) return Search::Absent;
      if (child.type == fourcc("mvhd") && child.end - child.body >= 32) {
        const bool v1 = byteAt(d, child.body) == 1;
        timescale = readBigEndian(d, child.body + (v1 ? 20 : 12), 4);
      } else if (child.type == fourcc("mvex")) {
        for (qsizetype q = child.body; q < child.end;) {
          Box grand;
          if (readBox(d, q, child.end, &grand) != Search::Found) return Search::Absent;
          if (grand.type == fourcc("mehd")) {
            if (grand.end - grand.body < 4) return Search::Absent;
            const int size = byteAt(d, grand.body) == 1 ? 8 : 4;
            if (grand.end - grand.body < 4 + size) return Search::Absent;
            mehd.offset = grand.body + 4;
            mehd.size = size;
          }
          q = grand.end;
        }
      }
      p = child.end;
    }
    if (timescale == 0 || mehd.size == 0) return Search::Absent;
    mehd.scale = timescale;
    *out = mehd;
    return Search::Found;
  }
}

}  // namespace

LiveDuration::Search LiveDuration::find(Container container, QByteArrayView head, Field* out) {
  return container == Container::Matroska ? findMatroska(head, out) : findMp4(head, out);
}

QByteArray LiveDuration::encode(Container container, const Field& field, quint64 ns) {
  QByteArray bytes(field.size, Qt::Uninitialized);
  if (container == Container::Matroska) {
    const double ticks = static_cast<double>(ns) / static_cast<double>(field.scale);
    if (field.size == 8) {
      qToBigEndian(std::bit_cast<quint64>(ticks), bytes.data());
    } else {
      qToBigEndian(std::bit_cast<quint32>(static_cast<float>(ticks)), bytes.data());
    }
  } else {
    const quint64 ticks = gst_util_uint64_scale(ns, field.scale, GST_SECOND);
    if (field.size == 8) {
      qToBigEndian(ticks, bytes.data());
    } else {
      // All ones would mean "unknown".
      qToBigEndian(static_cast<quint32>(std::min<quint64>(ticks, 0xFFFFFFFEu)), bytes.data());
    }
  }
  return bytes;
}

LiveDuration::LiveDuration(Container container, std::shared_ptr<MediaFile> file)
    : container_(container), file_(std::move(file)) {}

std::shared_ptr<LiveDuration> LiveDuration::attach(GstPad* sinkPad, Container container, std::shared_ptr<MediaFile> file) {
  auto live = std::make_shared<LiveDuration>(container, std::move(file));
  using Holder = std::shared_ptr<LiveDuration>;
  gst_pad_add_probe(
      sinkPad,
      static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                                   GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
      [](GstPad*, GstPadProbeInfo* info, gpointer user) { return (*static_cast<Holder*>(user))->onProbe(info); },
      new Holder(live), [](gpointer user) { delete static_cast<Holder*>(user); });
  return live;
}

GstPadProbeReturn LiveDuration::onProbe(GstPadProbeInfo* info) {
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_SEGMENT) {
      // The muxer moves the sink's write position with byte segments (header rewrites).
      const GstSegment* segment = nullptr;
      gst_event_parse_segment(event, &segment);
      if (segment->format == GST_FORMAT_BYTES) position_ = segment->start;
    } else if (GST_EVENT_TYPE(event) == GST_EVENT_EOS) {
      stop();
    }
    return GST_PAD_PROBE_OK;
  }
  // What was handed to the sink before this data is in the file now (the sink writes
  // synchronously and unbuffered): the header may say so.
  if (!stopped_.load() && search_ == Search::Found && GST_CLOCK_TIME_IS_VALID(end_) && end_ >= published_ + kStep) {
    if (file_->writeAt(field_.offset, encode(container_, field_, end_))) {
      published_ = end_;
    } else {
      search_ = Search::Absent;  // the sink reports its own write errors; stop trying
    }
  }
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    onBuffer(GST_PAD_PROBE_INFO_BUFFER(info));
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList* list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
    for (guint i = 0, n = gst_buffer_list_length(list); i < n; ++i) onBuffer(gst_buffer_list_get(list, i));
  }
  return GST_PAD_PROBE_OK;
}

void LiveDuration::onBuffer(GstBuffer* buffer) {
  collectHeader(buffer);
  position_ += gst_buffer_get_size(buffer);
  if (GST_BUFFER_PTS_IS_VALID(buffer)) {
    GstClockTime end = GST_BUFFER_PTS(buffer);
    if (GST_BUFFER_DURATION_IS_VALID(buffer)) end += GST_BUFFER_DURATION(buffer);
    if (!GST_CLOCK_TIME_IS_VALID(end_) || end > end_) end_ = end;
  }
}

void LiveDuration::collectHeader(GstBuffer* buffer) {
  if (search_ != Search::NeedMore) return;
  if (position_ >= static_cast<quint64>(kHeadLimit)) {
    search_ = Search::Absent;
    return;
  }
  const auto from = static_cast<qsizetype>(position_);
  const qsizetype to = std::min<qsizetype>(from + static_cast<qsizetype>(gst_buffer_get_size(buffer)), kHeadLimit);
  if (to > head_.size()) head_.resize(to, '\0');
  gst_buffer_extract(buffer, 0, head_.data() + from, static_cast<gsize>(to - from));
  search_ = find(container_, head_, &field_);
  if (search_ == Search::NeedMore && head_.size() >= kHeadLimit) search_ = Search::Absent;
  if (search_ != Search::NeedMore) head_ = QByteArray();  // not needed any more
}

}  // namespace pw
