#!/usr/bin/env bash
# Runs the whole Tessera benchmark: for each grid size, tessera vs. the codec floor vs. the
# original libvips approach, on the same generated tiles. See bench/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/run.sh [--baseline-max N] [--photo-max N] [--runs N] [--runs-max N] [SIZES...]

  SIZES            grid sizes to run, each meaning an NxN grid of 800x600 tiles
                   (default: 50 100 150 200)
  --baseline-max N run the libvips baseline only for sizes <= N (default: the BASELINE_MAX
                   environment variable, else 100); it needs >10 min and ~7 GB at 100x100,
                   so larger sizes report "not run"
  --photo-max N    also measure, for sizes <= N, a grid of tiles cut from real photographs
                   (scikit-image's sample photographs from Debian python3-skimage, 8x8 distinct
                   tiles, the rest hard links; see tessera-bench photo-grid) beside the synthetic
                   one: photographs decode and compress far slower (default: the PHOTO_MAX
                   environment variable, else 50; 0 skips it)
  --shards-grid N  also time 1, 2 and 4 concurrent shards plus --finish on the NxN grid
                   (default: the SHARDS_GRID environment variable, else 100 when 100 is among
                   the sizes; 0 skips it)
  --blend-grid N   also time each --blend mode and --flatfield auto beside overlay on the NxN
                   grid (default: the BLEND_GRID environment variable, else 50 when 50 is among
                   the sizes; 0 skips it)
  --runs N         run tessera, tessera register and both codec floors N times each, in turns,
                   and report the median (default: the RUNS environment variable, else 3); the
                   libvips baseline runs once
  --runs-max N     repeat only for sizes <= N; larger sizes run each tool once, as their runs are
                   long enough to vary less (default: the RUNS_MAX environment variable, else 100)

Tiles are generated once into bench/data/NxN and reused; the report goes to stdout and to
bench/results/<timestamp>.md, the tools' output to bench/results/<timestamp>-logs/.
EOF
}

readonly TILE_WIDTH=800 TILE_HEIGHT=600 OVERLAP_X=80 OVERLAP_Y=60

# die, status, build_release, read_time, ratio
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

is_count() {
    [[ $1 =~ ^[1-9][0-9]*$ ]]
}

command_line=$(printf '%q' "$0")
(($# == 0)) || command_line+=$(printf ' %q' "$@")
baseline_max=${BASELINE_MAX:-100}
runs=${RUNS:-3}
runs_max=${RUNS_MAX:-100}
shards_grid=${SHARDS_GRID:-}
photo_max=${PHOTO_MAX:-50}
blend_grid=${BLEND_GRID:-}
sizes=()
while (($# > 0)); do
    case $1 in
        --baseline-max)
            (($# >= 2)) || die "--baseline-max needs a value"
            baseline_max=$2
            shift 2
            ;;
        --photo-max)
            (($# >= 2)) || die "--photo-max needs a value"
            photo_max=$2
            shift 2
            ;;
        --shards-grid)
            (($# >= 2)) || die "--shards-grid needs a value"
            shards_grid=$2
            shift 2
            ;;
        --blend-grid)
            (($# >= 2)) || die "--blend-grid needs a value"
            blend_grid=$2
            shift 2
            ;;
        --runs)
            (($# >= 2)) || die "--runs needs a value"
            runs=$2
            shift 2
            ;;
        --runs-max)
            (($# >= 2)) || die "--runs-max needs a value"
            runs_max=$2
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
((${#sizes[@]} > 0)) || sizes=(50 100 150 200)
if [[ -z $shards_grid ]]; then
    shards_grid=0
    for size in "${sizes[@]}"; do
        [[ $size == 100 ]] && shards_grid=100
    done
fi
if [[ -z $blend_grid ]]; then
    blend_grid=0
    for size in "${sizes[@]}"; do
        [[ $size == 50 ]] && blend_grid=50
    done
fi
[[ $shards_grid =~ ^(0|[1-9][0-9]*)$ ]] || die "--shards-grid must be a number, got '$shards_grid'"
[[ $blend_grid =~ ^(0|[1-9][0-9]*)$ ]] || die "--blend-grid must be a number, got '$blend_grid'"
[[ $photo_max =~ ^(0|[1-9][0-9]*)$ ]] || die "--photo-max must be a number, got '$photo_max'"
[[ $baseline_max =~ ^(0|[1-9][0-9]*)$ ]] || die "--baseline-max must be a number, got '$baseline_max'"
is_count "$runs" || die "--runs must be a positive integer, got '$runs'"
[[ $runs_max =~ ^(0|[1-9][0-9]*)$ ]] || die "--runs-max must be a number, got '$runs_max'"
for size in "${sizes[@]}"; do
    is_count "$size" || die "grid size must be a positive integer, got '$size'"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian: apt-get install time)"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
readonly bench_project=bench/Tessera.Bench/Tessera.Bench.csproj
readonly cli_project=src/Tessera.Cli/Tessera.Cli.csproj
timestamp=$(date -u +%Y%m%d-%H%M%S)
# Every tool writes into a directory never used before, and all outputs are removed only at the
# end: on ext4, creating files right where many were just deleted costs several times more system
# time (inode allocation skips recently freed inodes), which would penalise whichever tool runs next.
readonly out_root=bench/data/out/$timestamp
readonly results_file=bench/results/$timestamp.md
readonly logs=bench/results/$timestamp-logs
mkdir -p "$logs" "$out_root"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo "no commit")
[[ -z $(git status --porcelain -- src 2>/dev/null) ]] || commit+=" (src/ has uncommitted changes)"
header=$(
    echo "# Tessera benchmark $timestamp"
    echo
    echo "- command: \`$command_line\`"
    echo "- machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "- memory: $(awk '/^MemTotal/ { t = $2 } /^MemAvailable/ { a = $2 } END {
        printf "%.1f GiB total, %.1f GiB available", t / 1048576, a / 1048576 }' /proc/meminfo)"
    echo "- .NET SDK $(dotnet --version), commit $commit"
    echo "- tiles: ${TILE_WIDTH}x${TILE_HEIGHT}, overlap ${OVERLAP_X},${OVERLAP_Y}; output: DZI, 254 px tiles, overlap 1, JPEG Q75"
    echo "- logs: $logs"
)
echo "$header"

status "building (Release)"
bench_dll=$(build_release "$bench_project") || die "building $bench_project failed"
tessera_dll=$(build_release "$cli_project") ||
    die "building $cli_project failed: the tessera CLI must build before it can be benchmarked"

# measure LOG COMMAND...: flushes dirty pages, then runs COMMAND under /usr/bin/time -v with its
# output in LOG and sets wall_s (elapsed seconds) and rss_mib (peak resident set size). Any failure
# ends the run.
measure() {
    local log=$1
    shift
    warm_inputs
    # Start every tool from clean page cache writeback: otherwise a tool that runs right after one
    # that wrote gigabytes is throttled by the kernel while those are flushed, and looks slower.
    sync
    if ! /usr/bin/time -v -o "$log.time" "$@" >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "command failed (full output in $log): $*"
    fi
    read_time "$log.time"
}

# warm_inputs: reads the current grid's tiles ($inputs) so that they are in the page cache when a
# tool starts. Without it the first tool of each size read them from disk (the outputs written
# since had pushed them out): in run 20261128-020300 tessera read 3 GB of its 3.6 GB of 200x200
# tiles from disk and every later tool almost nothing, which cost tessera 10-15 s of system time.
warm_inputs() {
    [[ -n ${inputs:-} ]] || return 0
    find "$inputs" -maxdepth 1 -type f -exec cat {} + >/dev/null
}

# count_tiles DZI: number of image tiles in the pyramid written next to DZI.
count_tiles() {
    local files=${1%.dzi}_files
    [[ -f $1 && -d $files ]] || die "$1 or $files was not written"
    find "$files" -type f \( -name '*.jpeg' -o -name '*.jpg' \) | wc -l
}

# median VALUES...: the middle value (the mean of the two middle ones for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# largest VALUES...: the largest value.
largest() {
    printf '%s\n' "$@" | sort -g | tail -n 1
}

# joined VALUES...: the values with " / " between them.
joined() {
    local IFS=/
    local text="$*"
    echo "${text//\// / }"
}

# run_shards GRID DATA OUT: 1, 2 and 4 shards of GRID at the same time, each on nproc/N threads,
# then --finish; checks the result has every tile.
run_shards() {
    local grid=$1 data=$2 out=$3 shards threads start end peak finish_s i planned
    for shards in 1 2 4; do
        threads=$(($(nproc) / shards))
        ((threads >= 1)) || threads=1
        local dzi=$out/shards-$shards.dzi
        status "[$grid] $shards concurrent shards, $threads threads each"
        "${tessera[@]}" plan "$data" "$dzi" --overlap "$OVERLAP_X,$OVERLAP_Y" --threads "$threads" \
            >"$logs/$grid-shards-$shards-plan.log" || die "tessera plan failed"
        planned=$(plan_mib "$logs/$grid-shards-$shards-plan.log")
        warm_inputs
        sync
        start=$(date +%s.%N)
        local pids=()
        for ((i = 0; i < shards; i++)); do
            /usr/bin/time -v -o "$logs/$grid-shards-$shards-$i.log.time" "${tessera[@]}" build "$data" "$dzi" \
                --overlap "$OVERLAP_X,$OVERLAP_Y" --threads "$threads" --shard "$i/$shards" \
                >"$logs/$grid-shards-$shards-$i.log" 2>&1 &
            pids+=($!)
        done
        for i in "${!pids[@]}"; do
            wait "${pids[$i]}" || die "shard $i/$shards failed (see $logs/$grid-shards-$shards-$i.log)"
        done
        measure "$logs/$grid-shards-$shards-finish.log" "${tessera[@]}" build "$data" "$dzi" \
            --overlap "$OVERLAP_X,$OVERLAP_Y" --threads "$(nproc)" --finish
        finish_s=$wall_s
        end=$(date +%s.%N)
        peak=$(cat "$logs/$grid-shards-$shards-"*.log.time | awk '/Maximum resident set size/ {
            if ($NF > m) m = $NF } END { printf "%.0f", m / 1024 }')
        (($(count_tiles "$dzi") == expected_tiles)) || die "[$grid] $shards shards did not write every tile"
        shard_rows+=("| $grid | $shards | $threads | $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') | $finish_s | $peak | $planned |")
        status "[$grid] $shards shards: done"
    done
}

# run_blends GRID DATA OUT: tessera with each --blend mode, and with --flatfield auto, beside
# overlay; each checked for every tile.
run_blends() {
    local grid=$1 data=$2 out=$3 name overlay_s
    local -a variants=("overlay:--blend overlay" "seam:--blend seam" "linear:--blend linear"
        "seam + flatfield auto:--flatfield auto")
    for variant in "${variants[@]}"; do
        name=${variant%%:*}
        local -a args
        read -r -a args <<<"${variant#*:}"
        status "[$grid] tessera, $name"
        local dzi=$out/blend-${name//[^a-z]/-}.dzi
        measure "$logs/$grid-blend-${name//[^a-z]/-}.log" "${tessera[@]}" build "$data" "$dzi" \
            --overlap "$OVERLAP_X,$OVERLAP_Y" "${args[@]}"
        (($(count_tiles "$dzi") == expected_tiles)) || die "[$grid] $name did not write every tile"
        [[ $name == overlay ]] && overlay_s=$wall_s
        blend_rows+=("| $grid | $name | \`${variant#*:}\` | $wall_s | $(ratio "$wall_s" "$overlay_s") | $rss_mib |")
        status "[$grid] $name: $wall_s s, $rss_mib MiB"
    done
}

# plan_mib LOG: the peak memory 'tessera plan' printed, in MiB.
plan_mib() {
    awk '/^peak memory/ { v = $4; u = $5; if (u == "GiB") v *= 1024; printf "%.0f", v }' "$1"
}

tessera=(dotnet "$tessera_dll")
rows=()
ratios=()
shard_rows=()
blend_rows=()
shards_run=()
blends_run=()
readonly photo_dir=/usr/lib/python3/dist-packages/skimage/data
photo_images=()
for name in astronaut.png chelsea.png coffee.png hubble_deep_field.jpg ihc.png motorcycle_left.png retina.jpg rocket.jpg; do
    photo_images+=("$photo_dir/$name")
done
grids=()
for size in "${sizes[@]}"; do
    grids+=("$size:synthetic")
    ((size <= photo_max)) && grids+=("$size:photograph")
done
if ((photo_max > 0)); then
    for image in "${photo_images[@]}"; do
        [[ -f $image ]] || die "$image is missing: the photograph grid is cut from Debian's python3-skimage (apt-get install python3-skimage), or use --photo-max 0"
    done
fi

for grid_spec in "${grids[@]}"; do
    size=${grid_spec%%:*}
    content=${grid_spec#*:}
    grid=${size}x${size}
    data=bench/data/$grid
    if [[ $content == photograph ]]; then
        grid=$grid-photo
        data=bench/data/photo-${size}x${size}
    fi
    inputs=$data
    out=$out_root/$grid
    megapixels=$(awk -v n="$size" -v w=$TILE_WIDTH -v h=$TILE_HEIGHT -v ox=$OVERLAP_X -v oy=$OVERLAP_Y \
        'BEGIN { printf "%.1f", ((n - 1) * (w - ox) + w) * ((n - 1) * (h - oy) + h) / 1e6 }')

    status "[$grid] generating tiles in $data (reused when complete)"
    if [[ $content == photograph ]]; then
        dotnet "$bench_dll" photo-grid "$data" --across "$size" --down "$size" --period 8 \
            --images "$(IFS=,; echo "${photo_images[*]}")" \
            --width $TILE_WIDTH --height $TILE_HEIGHT --overlap-x $OVERLAP_X --overlap-y $OVERLAP_Y >&2 ||
            die "cutting the photograph grid $data failed"
    else
        dotnet "$bench_dll" generate "$data" --across "$size" --down "$size" \
            --width $TILE_WIDTH --height $TILE_HEIGHT --overlap-x $OVERLAP_X --overlap-y $OVERLAP_Y >&2 ||
            die "generating $data failed"
    fi

    "${tessera[@]}" plan "$data" "$out/tessera.dzi" --overlap "$OVERLAP_X,$OVERLAP_Y" >"$logs/$grid-plan.log" ||
        die "tessera plan failed (see $logs/$grid-plan.log)"
    planned_mib=$(plan_mib "$logs/$grid-plan.log")

    # Each tool runs $n times, in turns, so that whatever else the machine does at a moment falls
    # on all of them alike; the medians are compared. Each tessera run writes a new output.
    n=1
    ((size <= runs_max)) && n=$runs
    tessera_walls=() tessera_rss=() register_walls=() register_rss=() floor_walls=() floor_rss=()
    floor_write_walls=() floor_write_rss=()
    for ((run = 1; run <= n; run++)); do
        status "[$grid] tessera (run $run of $n)"
        measure "$logs/$grid-tessera-$run.log" "${tessera[@]}" build "$data" "$out/tessera-$run.dzi" \
            --overlap "$OVERLAP_X,$OVERLAP_Y"
        tessera_walls+=("$wall_s") tessera_rss+=("$rss_mib")
        tessera_tiles=$(count_tiles "$out/tessera-$run.dzi")
        codec=$(sed -n 's/.*; codec: \(.*\)\.$/\1/p' "$logs/$grid-tessera-$run.log")
        status "[$grid] tessera: $wall_s s, $rss_mib MiB (plan said $planned_mib), $tessera_tiles tiles, codec: $codec"

        status "[$grid] tessera register (run $run of $n)"
        measure "$logs/$grid-register-$run.log" "${tessera[@]}" register "$data" --overlap "$OVERLAP_X,$OVERLAP_Y" \
            --output "$out/registered-$run.txt"
        register_walls+=("$wall_s") register_rss+=("$rss_mib")
        status "[$grid] tessera register: $wall_s s, $rss_mib MiB"

        status "[$grid] codec floor (run $run of $n)"
        measure "$logs/$grid-floor-$run.log" dotnet "$bench_dll" floor "$data" --tile-size 254 --tile-overlap 1 \
            --quality 75 --overlap-x $OVERLAP_X --overlap-y $OVERLAP_Y
        floor_walls+=("$wall_s") floor_rss+=("$rss_mib")
        expected_tiles=$(sed -n 's/^floor .*outputs=\([0-9]*\).*/\1/p' "$logs/$grid-floor-$run.log")
        [[ -n $expected_tiles ]] || die "no 'floor ... outputs=N' line in $logs/$grid-floor-$run.log"
        ((tessera_tiles == expected_tiles)) ||
            die "[$grid] tessera wrote $tessera_tiles tiles, but the DZI pyramid has $expected_tiles"
        status "[$grid] codec floor: $wall_s s, $rss_mib MiB"

        status "[$grid] codec floor + writing the tiles (run $run of $n)"
        measure "$logs/$grid-floor-write-$run.log" dotnet "$bench_dll" floor "$data" --tile-size 254 --tile-overlap 1 \
            --quality 75 --overlap-x $OVERLAP_X --overlap-y $OVERLAP_Y --write "$out/floor-$run.dzi"
        floor_write_walls+=("$wall_s") floor_write_rss+=("$rss_mib")
        status "[$grid] codec floor + writing tiles: $wall_s s, $rss_mib MiB"
    done

    tessera_s=$(median "${tessera_walls[@]}")
    register_s=$(median "${register_walls[@]}")
    floor_s=$(median "${floor_walls[@]}")
    floor_write_s=$(median "${floor_write_walls[@]}")
    rows+=("| $grid | $megapixels | tessera | $tessera_s | $(joined "${tessera_walls[@]}") | $(largest "${tessera_rss[@]}") | $planned_mib |")
    rows+=("| $grid | $megapixels | tessera register | $register_s | $(joined "${register_walls[@]}") | $(largest "${register_rss[@]}") | |")
    rows+=("| $grid | $megapixels | codec floor | $floor_s | $(joined "${floor_walls[@]}") | $(largest "${floor_rss[@]}") | |")
    rows+=("| $grid | $megapixels | codec floor + writing tiles | $floor_write_s | $(joined "${floor_write_walls[@]}") | $(largest "${floor_write_rss[@]}") | |")

    if ((size <= baseline_max)); then
        status "[$grid] libvips baseline"
        measure "$logs/$grid-vips.log" dotnet "$bench_dll" vips-baseline "$data" "$out/vips.dzi" \
            --overlap-x $OVERLAP_X --overlap-y $OVERLAP_Y
        vips_tiles=$(count_tiles "$out/vips.dzi")
        ((vips_tiles == expected_tiles)) ||
            die "[$grid] the libvips baseline wrote $vips_tiles tiles, but the DZI pyramid has $expected_tiles"
        baseline_ratio=$(ratio "$wall_s" "$tessera_s")
        rows+=("| $grid | $megapixels | libvips baseline | $wall_s | $wall_s | $rss_mib | |")
        status "[$grid] libvips baseline: $wall_s s, $rss_mib MiB"
    else
        baseline_ratio="not run"
        rows+=("| $grid | $megapixels | libvips baseline | not run | | not run | |")
    fi
    ratios+=("| $grid | $megapixels | $(ratio "$tessera_s" "$floor_s") | $(ratio "$tessera_s" "$floor_write_s") | $baseline_ratio | $(ratio "$register_s" "$tessera_s") |")

    # The shard and blend runs come after every size's side-by-side measurements, so that the
    # files they write and remove do not run just before one of those (in run 20261128-021929,
    # tessera at 150x150 ran right after the 100x100 shards and took 11.5 s of system time, where
    # the floor with writes, measured later, took 7.2 s and a quiet run of tessera 7.2 s).
    if ((size == shards_grid)) && [[ $content == synthetic ]]; then
        shards_run=("$grid" "$data" "$out" "$expected_tiles")
    fi

    if ((size == blend_grid)) && [[ $content == synthetic ]]; then
        blends_run=("$grid" "$data" "$out" "$expected_tiles")
    fi
done

if ((${#shards_run[@]} > 0)); then
    inputs=${shards_run[1]} expected_tiles=${shards_run[3]}
    run_shards "${shards_run[@]:0:3}"
fi

if ((${#blends_run[@]} > 0)); then
    inputs=${blends_run[1]} expected_tiles=${blends_run[3]}
    run_blends "${blends_run[@]:0:3}"
fi

# The plan of the 600x600 case: 360,000 names (hard links to one generated tile), planned for 64 shards.
plan_grid=bench/data/plan-600x600
status "[600x600] tessera plan"
first_tile=$(find bench/data -maxdepth 2 -name 0_0.jpg | head -n 1)
[[ -n $first_tile ]] || die "no generated tile to link the 600x600 grid to"
dotnet "$bench_dll" link-grid "$plan_grid" --across 600 --down 600 --from "$first_tile" || die "linking $plan_grid failed"
measure "$logs/600x600-plan.log" "${tessera[@]}" plan "$plan_grid" "$out_root/600x600.dzi" \
    --overlap "$OVERLAP_X,$OVERLAP_Y" --shards 64
plan_600="\`tessera plan\` of the 600x600 grid (360,000 files) for 64 shards: $wall_s s, $rss_mib MiB"
status "$plan_600"

tables=$(
    echo "| grid | megapixels | tool | wall s (median) | each run, s | peak RSS MiB (largest) | plan's estimate MiB |"
    echo "|---|---:|---|---:|---|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "| grid | megapixels | tessera / floor time | tessera / (floor + writes) time | baseline / tessera time | register / build time |"
    echo "|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ratios[@]}"
    if ((${#shard_rows[@]} > 0)); then
        echo
        echo "| grid | shards at once | threads each | wall s (shards + finish) | finish s | largest shard peak RSS MiB | plan's estimate MiB |"
        echo "|---|---:|---:|---:|---:|---:|---:|"
        printf '%s\n' "${shard_rows[@]}"
    fi
    if ((${#blend_rows[@]} > 0)); then
        echo
        echo "| grid | blend | options | wall s | / overlay | peak RSS MiB |"
        echo "|---|---|---|---:|---:|---:|"
        printf '%s\n' "${blend_rows[@]}"
    fi
    echo
    echo "$plan_600"
    echo
    echo '```'
    cat "$logs/600x600-plan.log"
    echo '```'
)
rm -rf "$out_root"
printf '%s\n\n%s\n' "$header" "$tables" >"$results_file"
printf '\n%s\n' "$tables"
status "results written to $results_file"
