#!/usr/bin/env bash
# Sets up, builds Tessera, writes a synthetic 12×8 grid of overlapping 800×600 JPEG tiles and
# stitches it into a Deep Zoom pyramid: sample/tiles -> sample/slide.dzi.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
dotnet build -c Release -nologo -v q src/Tessera.Cli >/dev/null
tessera() { dotnet src/Tessera.Cli/bin/Release/net10.0/Tessera.Cli.dll "$@"; }

tessera sample sample/tiles --across 12 --down 8 --overlap-percent 10
tessera build sample/tiles sample/slide.dzi --overlap 10% --register --pixel-size 0.5um --overwrite
echo "Open sample/slide.html in a browser, or run: dotnet src/Tessera.Cli/bin/Release/net10.0/Tessera.Cli.dll serve sample/slide.dzi"
