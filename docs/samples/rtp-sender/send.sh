#!/usr/bin/env bash
# send.sh: stream VP8 video and Opus audio as plain RTP over UDP to a Pipewright RtpEndpoint.
#
#   ./send.sh VIDEO_PORT AUDIO_PORT [FILE]
#
# VIDEO_PORT and AUDIO_PORT are the RtpEndpoint's receive ports (the sample page shows them).
# Without FILE: a live test pattern with a running clock, and a tick every second.
# With FILE: the file is decoded and sent once, at its normal speed (video and audio tracks).
# The packets go to 127.0.0.1; set RTP_HOST to send them to another address of the endpoint.
# Ctrl+C stops.
set -euo pipefail

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 2 && $# -le 3 ]] || usage
video_port=$1
audio_port=$2
file=${3:-}
host=${RTP_HOST:-127.0.0.1}

for port in "$video_port" "$audio_port"; do
  if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    echo "send.sh: '$port' is not a UDP port number" >&2
    exit 2
  fi
done
if ! command -v gst-launch-1.0 >/dev/null; then
  echo "send.sh: gst-launch-1.0 is missing (Debian: apt install gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-x)" >&2
  exit 1
fi
if [[ -n $file && ! -r $file ]]; then
  echo "send.sh: cannot read '$file'" >&2
  exit 1
fi

# The payload types must match the sample's offer to the RtpEndpoint: 96 = VP8/90000,
# 111 = OPUS/48000/2. No RTCP comes back to this script, so a keyframe request from a viewer
# cannot reach the encoder: it makes a keyframe every 30 frames instead (1 s at 30 fps).
video_out=(vp8enc deadline=1 cpu-used=4 target-bitrate=1000000 keyframe-max-dist=30
  ! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit
  ! udpsink host="$host" port="$video_port")
audio_out=(audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=2
  ! opusenc bitrate=64000 ! rtpopuspay pt=111
  ! udpsink host="$host" port="$audio_port")

if [[ -z $file ]]; then
  echo "send.sh: test pattern as VP8 to $host:$video_port, ticks as Opus to $host:$audio_port (Ctrl+C stops)"
  exec gst-launch-1.0 -e \
    videotestsrc is-live=true ! video/x-raw,width=640,height=480,framerate=30/1 \
    ! timeoverlay font-desc="Sans 32" ! videoconvert ! "${video_out[@]}" \
    audiotestsrc is-live=true wave=ticks volume=0.4 ! "${audio_out[@]}"
fi

# A file: decode it, keep the picture at most 1280x720 (same aspect ratio), encode again.
# async=false lets a file without an audio (or video) track play anyway; such a file does not
# end by itself, though: stop it with Ctrl+C.
echo "send.sh: '$file' as VP8 to $host:$video_port and Opus to $host:$audio_port (Ctrl+C stops)"
exec gst-launch-1.0 -e \
  filesrc location="$file" ! decodebin name=dec \
  dec. ! queue ! videoconvert ! videoscale \
  ! "video/x-raw,width=[2,1280],height=[2,720],pixel-aspect-ratio=1/1" ! "${video_out[@]}" async=false \
  dec. ! queue ! "${audio_out[@]}" async=false
