#!/usr/bin/env bash
# Submits one Tessera build to Slurm: an array of SHARDS tasks, each `tessera build INPUT_DIR
# OUTPUT --shard I/SHARDS [options]`, and one `tessera build INPUT_DIR OUTPUT --finish [options]`
# that starts only when every shard has succeeded (--dependency=afterok). See docs/CLUSTER.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: deploy/slurm/submit.sh [--only-shards LIST] [--logs DIR] INPUT_DIR OUTPUT SHARDS [build options...]

Submits SHARDS array tasks (`tessera build INPUT_DIR OUTPUT --shard I/SHARDS [options]`, I from 0)
and one finish job (`... --finish [options]`) that runs only when all of them succeeded. Prints
the two job ids. INPUT_DIR and OUTPUT must be on a file system every node sees.

  --only-shards LIST  submit only these shards (Slurm's --array syntax: 3 or 1,4 or 2-5) and a new
                      finish job: the rerun after a shard failed. Give the same INPUT_DIR, OUTPUT,
                      SHARDS and options as the first time.
  --logs DIR          where the jobs' logs go (default: OUTPUT without .dzi/.zip, plus .logs/):
                      shard-I-JOBID.log for each shard, finish-JOBID.log for the finish.

Environment:
  TESSERA      the tessera command (default: tessera from PATH); may carry arguments, as
               "dotnet /opt/tessera/Tessera.Cli.dll"
  SBATCH_ARGS  more sbatch options for every job, as "--partition=batch --time=02:00:00
               --cpus-per-task=4 --mem=2G"; sbatch's own SBATCH_* variables work too
               (SBATCH_PARTITION, SBATCH_TIMELIMIT, SBATCH_ACCOUNT, ...)
Each shard runs with --threads set to its allocation (SLURM_CPUS_PER_TASK) unless the options
give --threads. If a shard fails, Slurm cancels the finish job; fix the cause and run the same
command with --only-shards and the failed shards.
EOF
}

die() { echo "submit.sh: $*" >&2; exit 2; }

only=
logs=
while (($# > 0)); do
    case $1 in
        -h|--help) usage; exit 0 ;;
        --only-shards) (($# >= 2)) || die "--only-shards needs a list of shards, as 1,4 or 2-5"; only=$2; shift 2 ;;
        --only-shards=*) only=${1#*=}; shift ;;
        --logs) (($# >= 2)) || die "--logs needs a folder"; logs=$2; shift 2 ;;
        --logs=*) logs=${1#*=}; shift ;;
        --) shift; break ;;
        -*) die "unknown option $1 before INPUT_DIR (build options go after SHARDS; --help)" ;;
        *) break ;;
    esac
done

(($# >= 3)) || die "needs INPUT_DIR OUTPUT SHARDS [build options...] (--help)"
input=$1 output=$2 shards=$3
shift 3
options=("$@")

[[ -d $input ]] || die "INPUT_DIR \"$input\" is not a folder"
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "SHARDS \"$shards\" is not a whole number of shards (1 or more)"
for option in "${options[@]}"; do
    case $option in
        --shard|--shard=*|--finish) die "give no $option: submit.sh adds --shard I/$shards and --finish itself" ;;
    esac
done

# Every shard index in LIST must exist; Slurm's syntax is checked by sbatch itself.
if [[ -n $only ]]; then
    [[ $only =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || die "--only-shards \"$only\" is not a list of shards, as 1,4 or 2-5"
    for n in $(tr ',-' '  ' <<<"$only"); do
        ((10#$n < shards)) || die "--only-shards: there is no shard $n in a build of $shards (shards count from 0 to $((shards - 1)))"
    done
fi

read -r -a tessera <<<"${TESSERA:-tessera}"
((${#tessera[@]} > 0)) || die "TESSERA is empty: unset it to use tessera from PATH"
command -v -- "${tessera[0]}" >/dev/null || die "\"${tessera[0]}\" is not a command here (put tessera on PATH or set TESSERA, e.g. TESSERA=\"dotnet /path/Tessera.Cli.dll\")"
command -v sbatch >/dev/null || die "sbatch is not on PATH: run this on a Slurm login node"
read -r -a sbatch_args <<<"${SBATCH_ARGS:-}"

# Jobs may start in another folder on another node: absolute paths only.
input=$(realpath -- "$input")
output=$(realpath -m -- "$output")
base=${output%.dzi}
base=${base%.zip}
logs=$(realpath -m -- "${logs:-$base.logs}")
mkdir -p -- "$logs"

# The job script: the tessera command and its arguments, each quoted for bash; the $ variables
# in single quotes are the job's, expanded when it runs.
# shellcheck disable=SC2016
job_script() {
    local words
    printf -v words ' %q' "${tessera[@]}" build "$input" "$output" "${options[@]}"
    printf '#!/bin/bash\nset -euo pipefail\n'
    printf 'threads=()\n'
    if [[ " ${options[*]} " != *" --threads "* && " ${options[*]} " != *" --threads="* ]]; then
        printf '[[ -n ${SLURM_CPUS_PER_TASK:-} ]] && threads=(--threads "$SLURM_CPUS_PER_TASK")\n'
    fi
    printf 'exec%s "${threads[@]}" %s\n' "$words" "$1"
}

# A rerun's finish must also wait for the shards of earlier submissions that still run: their
# array as a whole will not succeed (one of its tasks failed), so it waits for them to end, and
# --finish itself checks that every block is done.
earlier=
if [[ -n $only && -f $logs/shard-jobs ]]; then
    while read -r job; do
        if [[ -n $(squeue --noheader --jobs="$job" --format=%i 2>/dev/null) ]]; then
            earlier+=",afterany:$job"
        fi
    done <"$logs/shard-jobs"
fi

array=${only:-0-$((shards - 1))}
# shellcheck disable=SC2016
shard_job=$(job_script '--shard "$SLURM_ARRAY_TASK_ID/'"$shards"'"' |
    sbatch --parsable --job-name=tessera-shards --array="$array" --chdir="$logs" \
        --output="$logs/shard-%a-%A.log" "${sbatch_args[@]}") || die "sbatch refused the shards (see its message above)"
shard_job=${shard_job%%;*}
echo "$shard_job" >>"$logs/shard-jobs"

finish_job=$(job_script --finish |
    sbatch --parsable --job-name=tessera-finish --dependency="afterok:$shard_job$earlier" --kill-on-invalid-dep=yes \
        --chdir="$logs" --output="$logs/finish-%j.log" "${sbatch_args[@]}") ||
    { scancel "$shard_job" 2>/dev/null || true; die "sbatch refused the finish job (the shards $shard_job are cancelled)"; }
finish_job=${finish_job%%;*}

echo "shards job $shard_job: tasks $array of $shards, logs $logs/shard-I-$shard_job.log"
echo "finish job $finish_job: runs when every shard has succeeded, log $logs/finish-$finish_job.log"
