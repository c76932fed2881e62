#!/usr/bin/env bash
# Times the OME layouts beside the Deep Zoom build and beside libvips writing the same pyramid,
# on the same grid of photograph tiles, in one run; peak memory at each grid size shows whether
# it stays flat. See bench/README.md ("The OME layouts").
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/ome.sh [--tile WxH] [--vips-max-gib N] [--vips-timeout S] [SIZES...]

  SIZES              grid sizes: N for an NxN grid of photograph tiles, or COLUMNSxROWS
                     (default: 50 200); Tessera's memory should be the same at every size (a
                     band of blocks spans about 32 input tiles, so any grid at least that wide
                     holds the same), and a wide, short grid such as 600x40 checks it cheaply
  --tile WxH         input tile size (default 256x192; overlap 10 %, rounded): small enough
                     that the 200x200 OME outputs (about 4-6 GB each, uncompressible photographs)
                     fit on a shared disk; the same at every size, so that memory compares
  --vips-max-gib N   run libvips at a size only when its peak memory, projected from the largest
                     size it ran at by the square of the tiles across, is at most N GiB
                     (default 12; 0: never); otherwise the table says "not run" and why
  --vips-timeout S   stop libvips after S seconds (default 900); the table says so

For each size it cuts the grid (tessera-bench photo-grid, reused when complete), then runs, one
after the other under /usr/bin/time -v: tessera build --layout dz, --layout ome-tiff,
--layout ome-zarr, and libvips tiffsave --pyramid --subifd of the arrayjoined tiles
(tessera-bench vips-tiff, deflate level 1 with the horizontal predictor, 512-px tiles, as
Tessera writes). Each output is checked (the Deep Zoom pyramid with tessera verify, an OME
output for completeness and, for zarr, every chunk) and deleted before the next tool starts. The report goes to stdout and bench/results/ome-<timestamp>.md.
EOF
}

# die, status, build_release, read_time, ratio
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tile=256x192
vips_max_gib=12
vips_timeout=900
sizes=()
command_line=$(printf '%q' "$0")
(($# == 0)) || command_line+=$(printf ' %q' "$@")
while (($# > 0)); do
    case $1 in
        --tile)
            (($# >= 2)) || die "--tile needs a value"
            tile=$2
            shift 2
            ;;
        --vips-max-gib)
            (($# >= 2)) || die "--vips-max-gib needs a value"
            vips_max_gib=$2
            shift 2
            ;;
        --vips-timeout)
            (($# >= 2)) || die "--vips-timeout needs a value"
            vips_timeout=$2
            shift 2
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        -*)
            usage >&2
            die "unknown option $1"
            ;;
        *)
            sizes+=("$1")
            shift
            ;;
    esac
done
((${#sizes[@]} > 0)) || sizes=(50 200)
[[ $tile =~ ^([1-9][0-9]*)x([1-9][0-9]*)$ ]] || die "--tile must be WIDTHxHEIGHT, got '$tile'"
readonly tile_width=${BASH_REMATCH[1]} tile_height=${BASH_REMATCH[2]}
((tile_width >= 64 && tile_height >= 64)) || die "--tile must be at least 64x64, got '$tile'"
readonly overlap_x=$(((tile_width + 5) / 10)) overlap_y=$(((tile_height + 5) / 10))
[[ $vips_max_gib =~ ^(0|[1-9][0-9]*)$ ]] || die "--vips-max-gib must be a number, got '$vips_max_gib'"
[[ $vips_timeout =~ ^[1-9][0-9]*$ ]] || die "--vips-timeout must be a positive number of seconds, got '$vips_timeout'"
for size in "${sizes[@]}"; do
    [[ $size =~ ^[1-9][0-9]*(x[1-9][0-9]*)?$ ]] || die "grid size must be N or COLUMNSxROWS, got '$size'"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian: apt-get install time)"
readonly photo_dir=/usr/lib/python3/dist-packages/skimage/data
photo_images=()
for name in astronaut.png chelsea.png coffee.png hubble_deep_field.jpg ihc.png motorcycle_left.png retina.jpg rocket.jpg; do
    [[ -f $photo_dir/$name ]] || die "$photo_dir/$name is missing: the grid is cut from Debian's python3-skimage (apt-get install python3-skimage)"
    photo_images+=("$photo_dir/$name")
done
# libvips opens every tile of the grid at once; the default limit of open files is below 40,000.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
timestamp=$(date -u +%Y%m%d-%H%M%S)
readonly out_root=bench/data/out/ome-$timestamp
readonly results_file=bench/results/ome-$timestamp.md
readonly logs=bench/results/ome-$timestamp-logs
mkdir -p "$logs" "$out_root"
trap 'rm -rf "$out_root"' EXIT

status "building (Release)"
bench_dll=$(build_release bench/Tessera.Bench/Tessera.Bench.csproj) || die "building the bench failed"
tessera_dll=$(build_release src/Tessera.Cli/Tessera.Cli.csproj) || die "building the tessera CLI failed"
tessera=(dotnet "$tessera_dll")

commit=$(git rev-parse --short HEAD 2>/dev/null || echo "no commit")
[[ -z $(git status --porcelain -- src bench 2>/dev/null) ]] || commit+=" (uncommitted changes)"
header=$(
    echo "# Tessera OME layouts benchmark $timestamp"
    echo
    echo "- command: \`$command_line\`"
    echo "- machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "- memory: $(awk '/^MemTotal/ { t = $2 } /^MemAvailable/ { a = $2 } END {
        printf "%.1f GiB total, %.1f GiB available", t / 1048576, a / 1048576 }' /proc/meminfo)"
    echo "- .NET SDK $(dotnet --version), commit $commit"
    echo "- tiles: photographs (python3-skimage, 8x8 distinct, the rest hard links), ${tile_width}x${tile_height} JPEG Q90, overlap ${overlap_x},${overlap_y}"
    echo "- outputs: dz = 254-px JPEG Q75 tiles; ome-tiff = 512-px tiles, deflate level 1 + horizontal predictor; ome-zarr = 512-px zlib-1 chunks; libvips = tiffsave --tile --pyramid --subifd --bigtiff, 512 px, deflate level 1 + horizontal predictor"
    echo "- logs: $logs"
)
echo "$header"

# measure LOG COMMAND...: warms the inputs, flushes dirty pages, and runs COMMAND under
# /usr/bin/time -v; sets wall_s, cpu_s (user + system), rss_mib, load (1-minute load average at
# the start) and ok (0: it succeeded, else its exit status: 124 when timeout stopped it).
measure() {
    local log=$1
    shift
    find "$inputs" -maxdepth 1 -type f -exec cat {} + >/dev/null
    sync
    load=$(cut -d ' ' -f 1 /proc/loadavg)
    ok=0
    /usr/bin/time -v -o "$log.time" "$@" >"$log" 2>&1 || ok=$?
    read_time "$log.time"
}

# check_output LAYOUT TARGET PLAN_LOG: the Deep Zoom pyramid passes tessera verify; an OME output
# is complete (Tessera renames the .ome.tif and writes the zarr's .zgroup last) and a zarr has
# every chunk the plan counted.
check_output() {
    local planned
    planned=$(sed -n 's/^output tiles *\([0-9,]*\).*/\1/p' "$3" | tr -d ,)
    case $1 in
        dz)
            "${tessera[@]}" verify "$2" >"$logs/$grid-$1-verify.log" 2>&1 ||
                die "[$grid] tessera verify found the $1 output damaged (see $logs/$grid-$1-verify.log)" ;;
        ome-tiff)
            [[ -f $2 && ! -e $2.partial ]] || die "[$grid] $2 is not complete" ;;
        ome-zarr)
            [[ -f $2/.zgroup ]] || die "[$grid] $2 is not complete"
            (($(find "$2" -type f ! -name '.*' | wc -l) == planned)) || die "[$grid] $2 does not hold the $planned chunks tessera plan counted" ;;
    esac
}

mib_of() {
    du -sb "$1" | awk '{ printf "%.0f", $1 / 1048576 }'
}

rows=()
ratios=()
declare -A peak
vips_size=0 vips_peak=0
for spec in "${sizes[@]}"; do
    size=${spec%%x*} down=${spec#*x}
    grid=${size}x${down}
    inputs=bench/data/photo-$grid-${tile_width}x${tile_height}
    out=$out_root/$grid
    mkdir -p "$out"
    status "[$grid] cutting the photograph grid into $inputs (reused when complete)"
    dotnet "$bench_dll" photo-grid "$inputs" --across "$size" --down "$down" --period 8 \
        --images "$(IFS=,; echo "${photo_images[*]}")" --width "$tile_width" --height "$tile_height" \
        --overlap-x "$overlap_x" --overlap-y "$overlap_y" >&2 || die "cutting $inputs failed"
    megapixels=$(awk -v n="$size" -v m="$down" -v w="$tile_width" -v h="$tile_height" -v ox="$overlap_x" -v oy="$overlap_y" \
        'BEGIN { printf "%.0f", ((n - 1) * (w - ox) + w) * ((m - 1) * (h - oy) + h) / 1e6 }')
    declare -A wall=() cpu=()

    for layout in dz ome-tiff ome-zarr; do
        case $layout in
            dz) target=$out/slide.dzi ;;
            ome-tiff) target=$out/slide.ome.tif ;;
            ome-zarr) target=$out/slide.ome.zarr ;;
        esac
        "${tessera[@]}" plan "$inputs" "$target" --overlap "$overlap_x,$overlap_y" --layout "$layout" \
            >"$logs/$grid-$layout-plan.log" || die "tessera plan --layout $layout failed (see $logs/$grid-$layout-plan.log)"
        status "[$grid] tessera build --layout $layout"
        measure "$logs/$grid-$layout.log" "${tessera[@]}" build "$inputs" "$target" --overlap "$overlap_x,$overlap_y" --layout "$layout"
        ((ok == 0)) || die "[$grid] tessera build --layout $layout failed (see $logs/$grid-$layout.log)"
        check_output "$layout" "$target" "$logs/$grid-$layout-plan.log"
        bytes=$(mib_of "$target")
        [[ $layout == dz ]] && bytes=$(($(mib_of "$out/slide_files") + bytes))
        rm -rf "$target" "$out/slide_files" "$out/slide.html" "$out/slide.dzi.json" "$out/slide_overlay"
        wall[$layout]=$wall_s cpu[$layout]=$cpu_s
        peak[$grid:$layout]=$rss_mib
        rows+=("| $grid | $megapixels | tessera $layout | $wall_s | $cpu_s | $rss_mib | $bytes | $load |")
        status "[$grid] $layout: $wall_s s, $rss_mib MiB, $bytes MiB written, load $load"
    done

    vips_note=""
    if ((vips_max_gib == 0)); then
        vips_note="not run (--vips-max-gib 0)"
    elif ((vips_size > 0)); then
        projected=$(awk -v p="$vips_peak" -v n="$size" -v m="$vips_size" 'BEGIN { printf "%.1f", p * (n / m) ^ 2 / 1024 }')
        if awk -v p="$projected" -v max="$vips_max_gib" 'BEGIN { exit !(p > max) }'; then
            vips_note="not run: projected $projected GiB (${vips_peak} MiB at $vips_size across × (${size}/${vips_size})²) > $vips_max_gib GiB"
        fi
    fi
    if [[ -n $vips_note ]]; then
        rows+=("| $grid | $megapixels | libvips tiffsave | $vips_note | | | | |")
        wall[vips]="" cpu[vips]=""
    else
        status "[$grid] libvips tiffsave --pyramid --subifd (stopped after $vips_timeout s)"
        measure "$logs/$grid-vips.log" timeout "$vips_timeout" dotnet "$bench_dll" vips-tiff "$inputs" "$out/vips.tif" \
            --overlap-x "$overlap_x" --overlap-y "$overlap_y" --level 1
        bytes=$( [[ -f $out/vips.tif ]] && mib_of "$out/vips.tif" || echo 0)
        rm -f "$out/vips.tif"
        if ((ok == 0)); then
            wall[vips]=$wall_s cpu[vips]=$cpu_s
            vips_size=$size vips_peak=$rss_mib
            rows+=("| $grid | $megapixels | libvips tiffsave | $wall_s | $cpu_s | $rss_mib | $bytes | $load |")
        elif ((ok == 124)); then
            wall[vips]="" cpu[vips]=""
            rows+=("| $grid | $megapixels | libvips tiffsave | stopped after $vips_timeout s | $cpu_s | $rss_mib (so far) | | $load |")
        else
            wall[vips]="" cpu[vips]=""
            rows+=("| $grid | $megapixels | libvips tiffsave | failed: $(tail -n 1 "$logs/$grid-vips.log" | tr '|' '/') | $cpu_s | $rss_mib | | $load |")
        fi
        status "[$grid] libvips: exit $ok, $wall_s s, $rss_mib MiB"
    fi
    ratios+=("| $grid | $(ratio "${wall[ome-tiff]}" "${wall[dz]}") / $(ratio "${cpu[ome-tiff]}" "${cpu[dz]}") | $(ratio "${wall[ome-zarr]}" "${wall[dz]}") / $(ratio "${cpu[ome-zarr]}" "${cpu[dz]}") | $( [[ -n ${wall[vips]} ]] && echo "$(ratio "${wall[vips]}" "${wall[ome-tiff]}") / $(ratio "${cpu[vips]}" "${cpu[ome-tiff]}")" || echo "n/a") |")
    rm -rf "$out"
done

flat=()
first=${sizes[0]} last=${sizes[-1]}
[[ $first == *x* ]] || first=${first}x${first}
[[ $last == *x* ]] || last=${last}x${last}
for layout in dz ome-tiff ome-zarr; do
    flat+=("| tessera $layout | ${peak[$first:$layout]} | ${peak[$last:$layout]} | $(ratio "${peak[$last:$layout]}" "${peak[$first:$layout]}") |")
done

tables=$(
    echo "| grid | megapixels | tool | wall s | CPU s (user + sys) | peak RSS MiB | output MiB | load avg at start |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "| grid | ome-tiff / dz, wall / CPU | ome-zarr / dz, wall / CPU | libvips / ome-tiff, wall / CPU |"
    echo "|---|---:|---:|---:|"
    printf '%s\n' "${ratios[@]}"
    echo
    echo "| tool | peak MiB at $first | peak MiB at $last | $last / $first |"
    echo "|---|---:|---:|---:|"
    printf '%s\n' "${flat[@]}"
)
printf '%s\n\n%s\n' "$header" "$tables" >"$results_file"
printf '\n%s\n' "$tables"
status "results written to $results_file"
