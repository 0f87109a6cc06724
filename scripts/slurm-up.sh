#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine (the node is localhost, 2 CPUs), for the
# tests that submit a sharded study with sbatch (ShardSlurmTests). Installs Debian's slurm-wlm
# and munge when they are missing, writes a minimal slurm.conf (no cgroups, no accounting),
# starts munged, slurmctld and slurmd, and waits until sinfo shows the node idle. Does nothing
# when the node already answers. Run as root (CI does).
#
#   bash scripts/slurm-up.sh          # then: sinfo; sbatch --wrap 'hostname'
#   bash scripts/slurm-up.sh down     # stops the daemons it started
set -euo pipefail

conf=/etc/slurm/slurm.conf
if [ "$(id -u)" -ne 0 ]; then
    echo "slurm-up: run as root (it installs packages and starts daemons)" >&2
    exit 1
fi

if [ "${1:-}" = "down" ]; then
    for pidfile in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    exit 0
fi

if command -v sinfo >/dev/null 2>&1 && [ -f "$conf" ] && sinfo -h -n localhost -o %T 2>/dev/null | grep -qx 'idle\|mixed\|allocated'; then
    echo "slurm-up: localhost already answers" >&2
    exit 0
fi

need=()
command -v slurmctld >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
if ((${#need[@]})); then
    echo "slurm-up: installing ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# munge: a key, its folders owned by the munge user, the daemon running as that user.
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! munge -n >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
fi

install -d -m 0755 /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat >"$conf" <<'EOF'
# A single-node cluster on localhost for Prospect's tests (scripts/slurm-up.sh).
ClusterName=prospect
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd -N localhost

for _ in $(seq 1 60); do
    state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
    case "$state" in
    idle | mixed | allocated)
        echo "slurm-up: localhost is $state" >&2
        exit 0
        ;;
    down* | drain*)
        scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
        ;;
    esac
    sleep 1
done
echo "slurm-up: the node did not come up (state: ${state:-none}); see /var/log/slurm/slurmctld.log and slurmd.log" >&2
exit 1
