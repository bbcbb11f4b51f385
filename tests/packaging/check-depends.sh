#!/usr/bin/env bash
# Derives the run-time dependencies from the code and checks that the package declares them.
#   check-depends.sh <pipewright .deb> <source tree>
# GStreamer plugins and QML modules are loaded at run time, so dpkg-shlibdeps cannot see them:
# - every GStreamer element factory named in a string literal of engine/, app/ or rpc/
#   (gst_element_factory_make("..."), parse-launch descriptions, allow-lists) that exists on this
#   machine is mapped to the Debian package holding its plugin (dpkg -S on the plugin's file);
# - every QML module imported by qml/*.qml (and, through their qmldir files, the modules those
#   import) is mapped to the package holding its qmldir.
# Each package found must be in the .deb's Depends or Recommends. Run by check-package.sh (the
# ctest test `package`); needs gst-inspect-1.0 and dpkg.
set -euo pipefail
deb="$1"; src="$2"
fail=0
declared="$( (dpkg-deb -f "$deb" Depends; dpkg-deb -f "$deb" Recommends) | tr ',|' '\n\n' |
  sed -E 's/\(.*\)//; s/:any//; s/^ +//; s/ +$//' | grep -v '^$' | sort -u)"
qmldir_root="$(qtpaths6 --query QT_INSTALL_QML 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/qt6/qml)"

# The package that owns a file (usr-merged paths are looked up both ways).
owner() {
  local f="$1" alt
  alt="$(sed -E 's#^/usr/lib/#/lib/#; t; s#^/lib/#/usr/lib/#' <<<"$f")"
  { dpkg -S "$f" 2>/dev/null || dpkg -S "$alt" 2>/dev/null || dpkg -S "$(readlink -f "$f")" 2>/dev/null; } |
    head -1 | cut -d: -f1
}
need() {  # need <package> <why>
  if ! grep -qx -- "$1" <<<"$declared"; then
    echo "check-depends: $1 is neither in Depends nor in Recommends, but $2"
    fail=1
  fi
}

# --- GStreamer element factories ---------------------------------------------------------------
command -v gst-inspect-1.0 >/dev/null || { echo "check-depends: gst-inspect-1.0 missing"; exit 1; }
# "plugin:  factory: description" for every factory on this machine.
factories="$(gst-inspect-1.0 2>/dev/null | sed -nE 's/^([A-Za-z0-9_-]+): +([A-Za-z0-9_-]+): .*/\2 \1/p' | sort -u)"
# Words inside C++ string literals (comments are dropped first so prose does not count).
words="$(find "$src/engine" "$src/app" "$src/rpc" -name '*.cpp' -o -name '*.h' | xargs cat |
  sed -E 's#^\s*//.*##; s#[^"]//.*$##' | grep -oE '"([^"\\]|\\.)*"' | tr -c 'A-Za-z0-9_\n-' '\n' |
  grep -E '^[a-z][a-z0-9_-]+$' | sort -u)"
used="$(join <(echo "$words") <(echo "$factories"))"   # "factory plugin" for each factory used
[ -n "$used" ] || { echo "check-depends: found no element factories in the sources"; exit 1; }
declare -A pluginPackage=()
while read -r factory plugin; do
  if [ -z "${pluginPackage[$plugin]+x}" ]; then
    file="$(gst-inspect-1.0 "$plugin" 2>/dev/null | sed -nE 's/^ *Filename +//p' | head -1)"
    pluginPackage[$plugin]="$( [ -n "$file" ] && owner "$file" || true)"
  fi
  pkg="${pluginPackage[$plugin]}"
  [ "$plugin" = staticelements ] && continue   # bin and pipeline: inside libgstreamer (shlibdeps)
  if [ -z "$pkg" ]; then
    echo "check-depends: no Debian package owns the plugin '$plugin' of element $factory (not from Debian?)"
    fail=1
    continue
  fi
  need "$pkg" "the code uses the GStreamer element $factory (plugin $plugin)"
done <<<"$used"
echo "check-depends: $(wc -l <<<"$used") element factories from $(printf '%s\n' "${pluginPackage[@]}" | sort -u | wc -l) packages"

# --- QML modules ---------------------------------------------------------------------------------
# Modules GStreamer plugins register at run time (no qmldir): the element that registers them.
declare -A qmlFromElement=([org.freedesktop.gstreamer.Qt6GLVideoItem]=qml6glsink)
declare -A seen=()
queue=($(grep -hoE '^\s*import\s+[A-Za-z][A-Za-z0-9_.]*' "$src"/qml/*.qml | awk '{print $2}' | sort -u))
# The Controls style the C++ side picks (QQuickStyle::setStyle("Fusion") -> QtQuick.Controls.Fusion).
queue+=($(grep -rhoE 'QQuickStyle::setStyle\(QStringLiteral\("[A-Za-z]+"\)' "$src/app" | sed -E 's/.*"([A-Za-z]+)".*/QtQuick.Controls.\1/'))
count=0
while [ ${#queue[@]} -gt 0 ]; do
  module="${queue[0]}"; queue=("${queue[@]:1}")
  [ -n "${seen[$module]+x}" ] && continue
  seen[$module]=1
  case "$module" in Pipewright|Pipewright.*) continue ;; esac   # the studio's own, built in
  if [ -n "${qmlFromElement[$module]+x}" ]; then
    element="${qmlFromElement[$module]}"
    plugin="$(awk -v f="$element" '$1 == f {print $2}' <<<"$factories")"
    file="$( [ -n "$plugin" ] && gst-inspect-1.0 "$plugin" 2>/dev/null | sed -nE 's/^ *Filename +//p' | head -1 || true)"
    pkg="$( [ -n "$file" ] && owner "$file" || true)"
    [ -n "$pkg" ] || { echo "check-depends: QML module $module: element $element is not installed here"; fail=1; continue; }
    need "$pkg" "the studio imports the QML module $module (registered by $element)"
    count=$((count + 1)); continue
  fi
  qmldir="$qmldir_root/${module//.//}/qmldir"
  if [ ! -f "$qmldir" ]; then
    echo "check-depends: QML module $module is imported but not installed here ($qmldir)"
    fail=1; continue
  fi
  pkg="$(owner "$qmldir")"
  [ -n "$pkg" ] || { echo "check-depends: no Debian package owns $qmldir"; fail=1; continue; }
  need "$pkg" "the studio loads the QML module $module"
  count=$((count + 1))
  # What this module itself imports ("import X", "depends X"; "auto" versions and all).
  for m in $(sed -nE 's/^(import|depends) +([A-Za-z][A-Za-z0-9_.]*).*/\2/p' "$qmldir"); do queue+=("$m"); done
done
echo "check-depends: $count QML modules"
[ "$fail" = 0 ] || exit 1
echo "check-depends: OK"
