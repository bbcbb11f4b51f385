#!/usr/bin/env bash
# House rule (docs/architecture.md, Ownership): GLib and GStreamer references, strings, errors,
# structures, SDP messages, promises, iterators, GValues and signal handlers are released by
# the owners in engine/src/gst (GstRef, ErrorPtr, GCharPtr, SignalConnection...), never by a bare
# release call. This fails on any such call in the engine, the app or the RPC server outside
# engine/src/gst. Usage: check-no-bare-unref.sh [source root] (default: this checkout).
#
# What counts as a release: g_*/gst_* functions ending in _unref, _free, _freev, _free_full,
# _free_addresses, _unset or _destroy (g_free, g_error_free, gst_object_unref,
# gst_sdp_message_free, g_value_unset...), g_clear_* / gst_clear_*, g_weak_ref_clear, and
# g_signal_handler(s)_disconnect*. Named as a call or as a function pointer (a GDestroyNotify
# handed to GLib is a release too). Comments are ignored: // to the end of the line and /* */.
set -euo pipefail

root="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"

# Where the rule applies, and the one folder where the owners live.
scan=(engine app rpc)
owners='engine/src/gst/'

# Sites that genuinely cannot use an owner: "path:text that appears on the line", one per entry,
# each with a comment saying why. Keep it empty whenever possible.
allow=(
)

release='\b(g|gst)_[a-z0-9_]*(unref|free|freev|free_full|free_addresses|unset|destroy)\b|\bg_weak_ref_clear\b|\b(g|gst)_clear_[a-z0-9_]+\b|\bg_signal_handlers?_disconnect[a-z0-9_]*\b'

mapfile -t files < <(find "${scan[@]}" -type f \( -name '*.cpp' -o -name '*.cc' -o -name '*.cxx' -o -name '*.c' \
                                               -o -name '*.h' -o -name '*.hpp' \) -not -path "$owners*" | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "check-no-bare-unref: no sources under ${scan[*]} in $root" >&2
  exit 2
fi

# file:line:code, with comments taken out (line numbers kept), for the lines naming a release.
hits=$(awk '
  FNR == 1 { inBlock = 0 }
  {
    line = $0; code = ""
    while (length(line) > 0) {
      if (inBlock) {
        end = index(line, "*/")
        if (end == 0) break
        line = substr(line, end + 2); inBlock = 0
      } else {
        b = index(line, "/*"); c = index(line, "//")
        if (c > 0 && (b == 0 || c < b)) { code = code substr(line, 1, c - 1); break }
        if (b > 0) { code = code substr(line, 1, b - 1) " "; line = substr(line, b + 2); inBlock = 1; continue }
        code = code line; break
      }
    }
    if (code ~ /g_|gst_/) print FILENAME ":" FNR ":" code
  }' "${files[@]}" | grep -E "^[^:]+:[0-9]+:.*($release)" || true)

# Take out the allowed sites.
kept=()
while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  allowed=0
  for entry in "${allow[@]}"; do
    if [[ "$hit" == "${entry%%:*}:"* && "$hit" == *"${entry#*:}"* ]]; then allowed=1; fi
  done
  [ "$allowed" = 1 ] || kept+=("$hit")
done <<< "$hits"
hits=$(printf '%s\n' "${kept[@]+"${kept[@]}"}")

if [ -n "$hits" ]; then
  echo "check-no-bare-unref: bare release calls outside $owners (use the owners there: GstRef/ElementRef," >&2
  echo "  GObjectRef, StructurePtr, SdpMessagePtr, ErrorPtr, GCharPtr, IteratorPtr, ScopedValue, WeakRef," >&2
  echo "  SignalConnection...; docs/architecture.md, Ownership):" >&2
  printf '%s\n' "$hits" >&2
  exit 1
fi
echo "check-no-bare-unref: ${#files[@]} files, no bare release call outside $owners"
