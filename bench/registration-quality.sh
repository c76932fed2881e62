#!/usr/bin/env bash
# Registration accuracy on every kind of content, tessera against a peer (scikit-image's
# phase_cross_correlation with a least-squares solve), on the same generated sets in one run.
# usage: bench/registration-quality.sh [ACROSS [DOWN]]      (default 8 8)
# Needs python3-skimage (scripts/setup.sh installs it); runs the peer with Debian's /usr/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/.."
across=${1:-8}
down=${2:-$across}
overlap=64,56
out=bench/data/registration-quality
assembly() { # builds a project in Release and prints its assembly's path
    dotnet build "$1" -c Release -nologo -v q >/dev/null
    dotnet msbuild "$1" -getProperty:TargetPath -p:Configuration=Release
}
bench=(dotnet "$(assembly bench/Tessera.Bench/Tessera.Bench.csproj)")
tessera=(dotnet "$(assembly src/Tessera.Cli/Tessera.Cli.csproj)")
sets=()
for kind in photograph illustration faintgradient spots periodic integer; do
    dir=$out/$kind
    rm -rf "$dir"
    if [[ $kind == integer ]]; then
        "${bench[@]}" jittered "$dir" --content photograph --across "$across" --down "$down" --jitter 0 >/dev/null
    else
        "${bench[@]}" jittered "$dir" --content "$kind" --across "$across" --down "$down" >/dev/null
    fi
    # A set on which nothing is measured is refused (no positions written); the table says so.
    "${tessera[@]}" register "$dir" --overlap "$overlap" --pattern '{x}_{y}.jpg' >/dev/null ||
        echo "registration-quality.sh: tessera measured nothing on $kind" >&2
    sets+=("$kind=$dir")
done
echo "grids of ${across}x${down} tiles of 192x160 px, overlap $overlap, jitter ±16 px (integer: 0), gain 0.9-1.1, vignetting, noise, JPEG"
/usr/bin/python3 bench/registration_quality.py --overlap "$overlap" "${sets[@]}"
