#!/usr/bin/env bash
# check-hardening.sh - verify that ELF files were built with the hardening
# flags Pipewright asks for (see cmake/Hardening.cmake).
#
# Usage: check-hardening.sh <elf>...
#
# For every file the following must hold, otherwise the file fails:
#   PIE            ELF type DYN; for executables also DT_FLAGS_1 contains PIE
#   RELRO          a PT_GNU_RELRO segment is present
#   BIND_NOW       DT_FLAGS has BIND_NOW, DT_FLAGS_1 has NOW, or DT_BIND_NOW exists
#   NX stack       a PT_GNU_STACK segment exists and is not executable
#   stack protector  __stack_chk_fail is imported
#   FORTIFY        at least one fortified __*_chk function is imported
#   RUNPATH        no DT_RPATH/DT_RUNPATH entry that is empty or relative (the loader
#                  reads those as the current directory); with --no-runpath none at all
#
# Prints "OK <file>: ..." for a passing file and one "FAIL <file>: missing ..."
# line per missing protection otherwise. Exit status: 0 when every file
# passes, 1 when any file fails (or cannot be read), 2 on a usage error.

set -u
export LC_ALL=C   # readelf output is translated otherwise

prog=${0##*/}

if [[ $# -eq 0 || $1 == -h || $1 == --help ]]; then
    echo "usage: $prog <elf>..." >&2
    [[ $# -eq 0 ]] && exit 2
    exit 0
fi

if ! command -v readelf >/dev/null 2>&1; then
    echo "$prog: readelf not found (install binutils)" >&2
    exit 2
fi

status=0
no_runpath=0
if [[ ${1:-} == --no-runpath ]]; then
    no_runpath=1
    shift
fi

# Prints the names of the undefined (imported) dynamic symbols, one a line,
# with any @VERSION suffix removed.
imported_symbols() {
    # Columns: Num: Value Size Type Bind Vis Ndx Name [(verindex)]
    awk '$7 == "UND" && NF >= 8 { name = $8; sub(/@.*/, "", name); print name }'
}

check_file() {
    local f=$1
    local -a missing=()

    if [[ ! -f $f ]]; then
        echo "FAIL $f: no such file"
        return 1
    fi

    local header segments dynamic dynsyms
    if ! header=$(readelf -hW -- "$f" 2>&1); then
        echo "FAIL $f: not an ELF file ($(head -n1 <<<"$header"))"
        return 1
    fi
    segments=$(readelf -lW -- "$f" 2>/dev/null)
    dynamic=$(readelf -dW -- "$f" 2>/dev/null)
    dynsyms=$(readelf --dyn-syms -W -- "$f" 2>/dev/null | imported_symbols)

    local type
    type=$(awk -F: '$1 ~ /^ *Type$/ { sub(/^ +/, "", $2); split($2, w, " "); print w[1]; exit }' <<<"$header")

    # An executable (as opposed to a shared library) asks for a program
    # interpreter and has no soname. libc.so.6 has an interpreter too, hence
    # the soname test.
    local is_exe=0
    if grep -Eq '^ +INTERP ' <<<"$segments" && ! grep -q '(SONAME)' <<<"$dynamic"; then
        is_exe=1
    fi

    # Flags of the dynamic section's FLAGS and FLAGS_1 entries.
    local flags flags1
    flags=$(awk '$2 == "(FLAGS)" { $1 = $2 = ""; print }' <<<"$dynamic")
    flags1=$(awk '$2 == "(FLAGS_1)" { $1 = $2 = ""; print }' <<<"$dynamic")

    # PIE
    if [[ $type != DYN ]]; then
        missing+=("PIE (ELF type is ${type:-unknown}, not DYN)")
    elif (( is_exe )) && ! grep -Ewq 'PIE' <<<"$flags1"; then
        missing+=("PIE (no PIE in DT_FLAGS_1)")
    fi

    # RELRO
    if ! grep -Eq '^ +GNU_RELRO ' <<<"$segments"; then
        missing+=("RELRO (no GNU_RELRO segment)")
    fi

    # BIND_NOW
    if ! grep -Ewq 'BIND_NOW' <<<"$flags" &&
       ! grep -Ewq 'NOW' <<<"$flags1" &&
       ! grep -Eq '^ *0x[0-9a-fA-F]+ +\(BIND_NOW\)' <<<"$dynamic"; then
        missing+=("BIND_NOW (neither DT_FLAGS BIND_NOW nor DT_FLAGS_1 NOW)")
    fi

    # Non-executable stack. With -W the line reads
    #   GNU_STACK <off> <vaddr> <paddr> <filesz> <memsz> <flags> <align>
    # where <flags> is a mix of R, W and E possibly split by blanks.
    local stack_flags
    stack_flags=$(awk '$1 == "GNU_STACK" {
                           f = ""
                           for (i = 7; i < NF; i++) f = f $i
                           print (f == "" ? "-" : f)
                           exit
                       }' <<<"$segments")
    if [[ -z $stack_flags ]]; then
        missing+=("NX stack (no GNU_STACK segment, stack defaults to executable)")
    elif [[ $stack_flags == *E* ]]; then
        missing+=("NX stack (GNU_STACK is executable: $stack_flags)")
    fi

    # Stack protector
    if ! grep -qx '__stack_chk_fail' <<<"$dynsyms"; then
        missing+=("stack protector (__stack_chk_fail not imported)")
    fi

    # FORTIFY_SOURCE: any fortified libc entry point, e.g. __memcpy_chk,
    # __printf_chk. The stack protector's own symbols do not count.
    if ! grep -E '^__[A-Za-z0-9_]+_chk$' <<<"$dynsyms" |
         grep -Evq '^__stack_chk_(fail|guard)$'; then
        missing+=("FORTIFY (no __*_chk function imported)")
    fi

    # RPATH / RUNPATH: "" or "." or "lib" mean "relative to the current directory".
    local paths entry
    paths=$(sed -nE 's/.*\((RPATH|RUNPATH)\) +Library r(un)?path: \[(.*)\]$/\3/p' <<<"$dynamic")
    if [[ -n $paths ]] || grep -Eq '\((RPATH|RUNPATH)\)' <<<"$dynamic"; then
        if (( no_runpath )); then
            missing+=("no RUNPATH (an installed binary carries none, found [$paths])")
        else
            while IFS= read -r -d: entry || [[ -n $entry ]]; do
                if [[ -z $entry || ( $entry != /* && $entry != '$ORIGIN'* ) ]]; then
                    missing+=("safe RUNPATH (empty or relative entry in [$paths])")
                    break
                fi
            done <<<"$paths:"
        fi
    fi

    if (( ${#missing[@]} )); then
        local m
        for m in "${missing[@]}"; do
            echo "FAIL $f: missing $m"
        done
        return 1
    fi

    local kind=library
    (( is_exe )) && kind=executable
    echo "OK $f: $kind, PIE, RELRO, BIND_NOW, NX stack, stack protector, FORTIFY, safe RUNPATH"
    return 0
}

for f in "$@"; do
    check_file "$f" || status=1
done

exit "$status"
