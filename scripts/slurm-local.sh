#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the Slurm test and for trying deploy/slurm/submit.sh:
#   scripts/slurm-local.sh start    makes a munge key, starts munged, slurmctld and slurmd, waits until the node is idle
#   scripts/slurm-local.sh stop     stops them (the state folder is kept for its logs)
#   scripts/slurm-local.sh status   says whether it runs; exit 0 only when the node answers
#   scripts/slurm-local.sh env      prints the line that points Slurm's commands at this cluster
# Run as root (the daemons run as root; jobs run as the user who submits them). No systemd is
# needed: the daemons are started directly. Everything — key, sockets, slurm.conf, state, spool,
# logs — lives in one folder, ${TESSERA_SLURM_DIR:-/tmp/tessera-slurm}, so nothing in /etc is
# touched; Slurm's commands find the cluster through SLURM_CONF (what `env` prints, and what
# `start` prints last). Needs Debian's slurm-wlm and munge (scripts/setup.sh --test installs them).
set -euo pipefail
umask 022 # munged refuses key and socket folders that others may write to

dir=${TESSERA_SLURM_DIR:-/tmp/tessera-slurm}
conf=$dir/slurm.conf
export SLURM_CONF=$conf

die() { echo "slurm-local: $*" >&2; exit 1; }

# The pid a daemon wrote in pid file $1, if that process still runs and is daemon $2 (not another
# process that got the number since).
running_pid() {
    local pid
    [[ -f $1 ]] && pid=$(<"$1") && [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$2" ]] && echo "$pid"
}

node_state() { sinfo --noheader --nodes="$node" --format=%T 2>/dev/null | head -n 1; }

# The node is this host, under its short name, at the loopback address: no DNS needed.
node=$(hostname -s)

write_key() {
    [[ -s $dir/munge/munge.key ]] && return
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile="$dir/munge/munge.key"
    else
        dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    fi
    chmod 0400 "$dir/munge/munge.key"
}

start_munge() {
    running_pid "$dir/munge/munged.pid" munged >/dev/null && return
    # munged refuses a socket folder others can write to, so it gets its own, private one.
    munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
        --seed-file="$dir/munge/munged.seed" ||
        die "munged did not start; see $dir/log/munged.log"
}

# What slurmd finds on this host (CPUs, sockets, cores, memory), so the node is never drained
# for claiming more than it has.
hardware() { slurmd -C | head -n 1 | sed -E 's/^NodeName=[^ ]+ //; s/ UpTime=.*//'; }

write_conf() {
    cat >"$conf" <<EOF
# A one-node cluster made by scripts/slurm-local.sh; everything under $dir.
ClusterName=tessera-local
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=${TESSERA_SLURM_PORT:-6817}
SlurmdPort=$(( ${TESSERA_SLURM_PORT:-6817} + 1 ))
# No cgroups: they need a writable cgroup tree, which a container seldom has.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
# Finished jobs stay visible to scontrol for ten minutes (there is no accounting database for sacct).
MinJobAge=600
KillWait=10
NodeName=$node NodeAddr=127.0.0.1 $(hardware) State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

wait_until_idle() {
    local state
    for _ in $(seq 1 60); do
        state=$(node_state || true)
        case $state in
            idle*|mix*|alloc*) return ;;
            drain*|down*|fail*) scontrol update nodename="$node" state=resume 2>/dev/null || true ;;
        esac
        sleep 1
    done
    die "node $node is '${state:-not answering}' after 60 s; see $dir/log/slurmctld.log and $dir/log/slurmd.log"
}

start() {
    [[ $(id -u) == 0 ]] || die "start needs root (slurmd runs jobs as their users)"
    for tool in munged slurmctld slurmd sinfo; do
        command -v "$tool" >/dev/null || die "$tool is not installed: apt-get install slurm-wlm munge (or scripts/setup.sh --test)"
    done
    mkdir -p "$dir"/{munge,log,state,spool}
    chmod 0755 "$dir/munge" # the socket is here: every user must reach it, no one else may write
    write_key
    start_munge
    if ! running_pid "$dir/slurmctld.pid" slurmctld >/dev/null; then
        write_conf
        slurmctld || die "slurmctld did not start; see $dir/log/slurmctld.log"
    fi
    running_pid "$dir/slurmd.pid" slurmd >/dev/null || slurmd -N "$node" || die "slurmd did not start; see $dir/log/slurmd.log"
    wait_until_idle
    echo "slurm-local: node $node is up ($(node_state)); logs in $dir/log" >&2
    echo "export SLURM_CONF=$conf"
}

stop_daemon() {
    local pid
    pid=$(running_pid "$1" "$2") || return 0
    kill "$pid"
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
}

stop() {
    stop_daemon "$dir/slurmd.pid" slurmd
    stop_daemon "$dir/slurmctld.pid" slurmctld
    stop_daemon "$dir/munge/munged.pid" munged
    echo "slurm-local: stopped (logs kept in $dir/log)" >&2
}

status() {
    local state
    if running_pid "$dir/slurmctld.pid" slurmctld >/dev/null && state=$(node_state) && [[ -n $state ]]; then
        echo "slurm-local: node $node is $state" >&2
    else
        echo "slurm-local: not running" >&2
        return 1
    fi
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) echo "export SLURM_CONF=$conf" ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) die "usage: scripts/slurm-local.sh start|stop|status|env (--help says more)" ;;
esac
