#!/usr/bin/env bash
# Installs what Tessera uses from the system, where it is missing: the .NET SDK must already be
# there; libjpeg-turbo's TurboJPEG library (Debian/Ubuntu: libturbojpeg0) makes JPEG twice as fast
# and is needed by the tests that check that codec. Everything else comes from NuGet on build.
set -euo pipefail

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is needed (https://dot.net)" >&2; exit 1; }

if ! ldconfig -p 2>/dev/null | grep -q 'libturbojpeg\.so\.0'; then
    if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
        echo "setup: installing libturbojpeg0" >&2
        apt-get install -y -q libturbojpeg0 >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null && apt-get install -y -q libturbojpeg0 >/dev/null; }
    elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then
        echo "setup: installing libturbojpeg0 (sudo)" >&2
        sudo apt-get install -y -q libturbojpeg0 >/dev/null
    else
        echo "setup: libturbojpeg.so.0 not found; Tessera will use SkiaSharp's slower JPEG codec" >&2
    fi
fi
