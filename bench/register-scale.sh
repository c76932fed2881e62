#!/usr/bin/env bash
# tessera register at scale: for each N, an NxN grid of 800x600 tiles (overlap 80,60) whose
# overlaps match exactly (tessera-bench periodic-grid: the synthetic specimen repeated every
# 30 grid steps, so at most 900 distinct files, hard links for the rest),
# registered once with /usr/bin/time -v; records the wall time, the processor time (user + system:
# what linearity is judged by on a loaded machine), the peak resident memory and the
# error of the registered positions against the known grid (the nominal one) after removing one
# common translation; and, in the logs, each direction's pair errors beside the solved drift
# (bench/periodic_drift.py). See bench/README.md.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: bench/register-scale.sh [--no-build] [SIZES...]

  SIZES       grid sizes, each meaning an NxN grid (default: 100 300 600)
  --no-build  use the Release builds already there

Tiles go to bench/data/periodic-NxN (reused when complete); the report to stdout and to
bench/results/register-scale-<timestamp>.md, the tools' output to bench/results/register-scale-<timestamp>-logs/.
USAGE
}

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

build=1
sizes=()
while (($# > 0)); do
    case $1 in
        --no-build) build=0; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) [[ $1 =~ ^[1-9][0-9]*$ ]] || die "a size is a positive whole number, not '$1'"; sizes+=("$1"); shift ;;
    esac
done
((${#sizes[@]} > 0)) || sizes=(100 300 600)
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian package 'time')"

root=$(cd "$(dirname "$0")/.." && pwd)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=$root/bench/results
logs=$results/register-scale-$stamp-logs
report=$results/register-scale-$stamp.md
mkdir -p "$logs"

if ((build)); then
    status "building (Release)"
    dotnet build "$root/bench/Tessera.Bench" -c Release -nologo -v quiet >"$logs/build-bench.log"
    dotnet build "$root/src/Tessera.Cli" -c Release -nologo -v quiet >"$logs/build-cli.log"
fi
bench=$root/bench/Tessera.Bench/bin/Release/net10.0/tessera-bench
# The CLI has no apphost (the tool shim runs the .dll), so it runs through dotnet.
tessera=(dotnet "$root/src/Tessera.Cli/bin/Release/net10.0/Tessera.Cli.dll")

rows=()
for n in "${sizes[@]}"; do
    data=$root/bench/data/periodic-${n}x${n}
    status "[$n x $n] tiles"
    "$bench" periodic-grid "$data" --across "$n" --down "$n" >"$logs/$n-generate.log"
    out=$logs/$n.registered.txt
    status "[$n x $n] tessera register"
    /usr/bin/time -v "${tessera[@]}" register "$data" --overlap 80,60 --output "$out" >"$logs/$n-register.log" 2>"$logs/$n-register.err" \
        || die "tessera register failed on $n x $n: see $logs/$n-register.err"
    read_time "$logs/$n-register.err"
    error=$(python3 - "$out" <<'PY'
import re, statistics, sys
pos = []
for line in open(sys.argv[1]):
    m = re.match(r"(\d+)_(\d+)\.jpg; ; \(([-\d.eE]+), ([-\d.eE]+)\)", line)
    if m:
        c, r, x, y = int(m[1]), int(m[2]), float(m[3]), float(m[4])
        pos.append((x - 720 * c, y - 540 * r))
mx = statistics.fmean(p[0] for p in pos)
my = statistics.fmean(p[1] for p in pos)
d = sorted(((p[0] - mx) ** 2 + (p[1] - my) ** 2) ** 0.5 for p in pos)
print(f"{statistics.median(d):.3f} | {d[-1]:.3f}")
PY
)
    # Each direction's pair errors against the nominal step beside the solved drift: why the error grows.
    python3 "$root/bench/periodic_drift.py" "$out" >"$logs/$n-drift.txt" && sed 's/^/    /' "$logs/$n-drift.txt" >&2
    pairs=$(grep -m1 '^pairs ' "$logs/$n-register.log" | sed 's/^pairs *//')
    status "[$n x $n] $wall_s s ($cpu_s s processor), $rss_mib MiB, error median | max $error px"
    rows+=("| ${n}x${n} | $((n * n)) | $wall_s | $cpu_s | $rss_mib | $error | $pairs |")
done

{
    echo "# tessera register at scale, $stamp"
    echo
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (with local changes)'). Command: bench/register-scale.sh ${sizes[*]}"
    echo
    echo "| grid | tiles | wall s | processor s (user + sys) | peak MiB | error median px | error max px | pairs |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$report"
