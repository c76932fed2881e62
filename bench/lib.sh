# Helpers shared by bench/run.sh and bench/ome.sh (sourced, not run).

# die MESSAGE / status MESSAGE: one line on standard error, headed by the script's name.
die() {
    echo "$(basename "$0"): error: $*" >&2
    exit 1
}

status() {
    echo "$(basename "$0"): $*" >&2
}

# build_release PROJECT: builds PROJECT in Release (its log in $logs) and prints its assembly's
# path; on failure prints the build's errors and returns 1.
build_release() {
    local log assembly
    log=$logs/build-$(basename "$1" .csproj).log
    if ! dotnet build -c Release -nologo "$1" >"$log" 2>&1; then
        grep -E ': (error|warning) ' "$log" | sort -u >&2 || tail -n 30 "$log" >&2
        return 1
    fi
    assembly=$(dotnet msbuild "$1" -getProperty:TargetPath -p:Configuration=Release) || return 1
    [[ -f $assembly ]] || { echo "building $1 did not produce $assembly" >&2; return 1; }
    echo "$assembly"
}

# read_time FILE: from /usr/bin/time -v's output in FILE sets wall_s (elapsed seconds), rss_mib
# (peak resident set size) and cpu_s (user + system seconds); ends the run if it cannot.
read_time() {
    wall_s=$(awk -F': ' '/Elapsed \(wall clock\) time/ {
        n = split($2, part, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + part[i]
        printf "%.2f", s }' "$1")
    rss_mib=$(awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$1")
    cpu_s=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1")
    [[ -n $wall_s && -n $rss_mib ]] || die "could not parse /usr/bin/time output in $1"
}

# ratio A B: A / B to two decimals, or n/a where B is not positive.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}
