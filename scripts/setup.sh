#!/usr/bin/env bash
# Installs what Tessera uses from the system, where it is missing: the .NET SDK must already be
# there; libjpeg-turbo's TurboJPEG library (Debian/Ubuntu: libturbojpeg0) makes JPEG several times
# faster and is needed by the tests that check that codec; a C compiler and the libjpeg-turbo headers
# (gcc, libjpeg62-turbo-dev) build Tessera's small JPEG region decoder, which the tests check; FFTW
# (libfftw3-single3) is the registration's faster FFT and is needed by the tests that check it;
# unzip checks zip output in the tests;
# npm brings OpenSeadragon into the build (the viewer page); Chromium is the browser the viewer
# tests drive (through Playwright, which never downloads one). Everything else comes from NuGet.
set -euo pipefail

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is needed (https://dot.net)" >&2; exit 1; }

# package:what-needs-it pairs; installed only where missing.
missing=()
# The library list is read once into a variable: `ldconfig -p | grep -q` under pipefail fails
# whenever grep stops early and ldconfig dies of SIGPIPE, reporting installed libraries as missing.
libraries=$(ldconfig -p 2>/dev/null || true)
grep -q 'libturbojpeg\.so\.0' <<<"$libraries" || missing+=(libturbojpeg0)
grep -q 'libfftw3f\.so\.3' <<<"$libraries" || missing+=(libfftw3-single3)
command -v cc >/dev/null || missing+=(gcc)                                  # builds the JPEG region decoder
[[ -f /usr/include/jpeglib.h ]] || missing+=(libjpeg62-turbo-dev)          # ... against libjpeg-turbo
command -v unzip >/dev/null || missing+=(unzip) # the tests check our zips with an independent reader
command -v npm >/dev/null || missing+=(npm)     # the build runs npm ci for OpenSeadragon
[[ -x ${TESSERA_CHROMIUM:-/usr/bin/chromium} ]] || missing+=(chromium) # the viewer tests' browser
command -v slurmctld >/dev/null && command -v munged >/dev/null || missing+=(slurm-wlm munge) # the Slurm test's one-node cluster

if ((${#missing[@]} > 0)); then
    if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
        echo "setup: installing ${missing[*]}" >&2
        apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
    elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then
        echo "setup: installing ${missing[*]} (sudo)" >&2
        sudo apt-get install -y -q "${missing[@]}" >/dev/null
    else
        echo "setup: please install ${missing[*]}; npm is needed to build, chromium to run the viewer tests; without libturbojpeg0 Tessera uses SkiaSharp's slower JPEG codec, without gcc and libjpeg62-turbo-dev it decodes whole tiles, without libfftw3-single3 its built-in FFT" >&2
    fi
fi
