#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, driving `stratus sweep`
# and `stratus tune` shards as job arrays (`--shard auto` reads
# SLURM_ARRAY_TASK_ID), then `stratus merge`, checked byte for byte against
# the unsharded runs. The cluster's MaxArraySize is set to 4 so that the
# 6-shard sweep must be split into two arrays with STRATUS_SHARD_OFFSET, as
# docs/sweeps-on-clusters.md describes, and `stratus merge --missing` is
# checked between the two submissions.
#
# Run by .ci/run after `cargo test`, as root. Installs slurm-wlm and munge
# from Debian's packages when missing; skipped (with a note) only when they
# cannot be installed or the script is not root. Uses its own slurm.conf
# (SLURM_CONF), ports 16817/16818 and a scratch folder; stops the daemons
# it started (by their pid files) on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${STRATUS_BIN:-$root/target/debug/stratus}
skip() { echo "slurm test SKIPPED: $*"; exit 0; }

[ "$(id -u)" -eq 0 ] || skip "needs root to start munged, slurmctld and slurmd"
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1 \
  || ! command -v munged >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null; } \
    || skip "slurm-wlm and munge cannot be installed here"
fi
[ -x "$bin" ] || (cd "$root" && cargo build --quiet)

work=$(mktemp -d /tmp/stratus-slurm.XXXXXX)
chmod 755 "$work"
started=()
cleanup() {
  for pidfile in "${started[@]}"; do
    if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

# munge: the package's key, our own socket and pid file.
mkdir -p "$work/munge"
chown munge:munge "$work/munge" 2>/dev/null || true
if [ ! -s /etc/munge/munge.key ]; then
  (command -v mungekey >/dev/null && mungekey --create) || \
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
fi
sock="$work/munge/munge.socket.2"
runuser -u munge -- munged --socket="$sock" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"
started+=("$work/munge/munged.pid")

node=$(slurmd -C | head -1)   # NodeName=… CPUs=… RealMemory=…
host=$(echo "$node" | sed -E 's/^NodeName=([^ ]+).*/\1/')
mkdir -p "$work/state" "$work/spool" "$work/out"
cat >"$work/slurm.conf" <<CONF
ClusterName=stratus-ci
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MaxArraySize=4
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
$node State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -f "$SLURM_CONF" -i
started+=("$work/slurmctld.pid")
slurmd -f "$SLURM_CONF"
started+=("$work/slurmd.pid")
for _ in $(seq 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then break; fi
  sleep 1
done
sinfo -h -o '%T' | grep -qE '^(idle|mixed|allocated)' || {
  echo "slurm test FAILED: the node did not come up"; sinfo || true
  tail -20 "$work/slurmctld.log" "$work/slurmd.log" || true; exit 1; }
echo "slurm: single-node cluster up ($node)"

cd "$root"
sc=scenarios/policies-on-a-spike.yaml
sweep_args=(sweep "$sc" --set duration=20m
  --param 'auto_scaling_groups[web].max=4,6,8'
  --param 'auto_scaling_groups[web].default_instance_warmup=60s,120s'
  --no-charts --jobs 1)

# 6 shards on a cluster whose arrays hold at most 4 tasks: two arrays.
cat >"$work/sweep.sh" <<JOB
#!/bin/bash
exec "$bin" ${sweep_args[*]@Q} --shard auto --shards 6 \\
  --out "$work/out/sweep-shard-\$((SLURM_ARRAY_TASK_ID + \${STRATUS_SHARD_OFFSET:-0}))"
JOB
sbatch --wait --array=0-3 --output="$work/out/%A_%a.log" \
  --export=ALL,STRATUS_SHARD_OFFSET=0 "$work/sweep.sh" >/dev/null
missing=$("$bin" merge --missing "$work"/out/sweep-shard-{0..5})
[ "$missing" = "4,5" ] || { echo "slurm test FAILED: --missing said '$missing', not 4,5"; exit 1; }
sbatch --wait --array=0-1 --output="$work/out/%A_%a.log" \
  --export=ALL,STRATUS_SHARD_OFFSET=4 "$work/sweep.sh" >/dev/null
[ -z "$("$bin" merge --missing "$work"/out/sweep-shard-{0..5})" ]
"$bin" merge "$work"/out/sweep-shard-{0..5} --out "$work/out/sweep-merged" --no-charts >/dev/null
"$bin" "${sweep_args[@]}" --out "$work/out/sweep-whole" >/dev/null
cmp "$work/out/sweep-merged/sweep.csv" "$work/out/sweep-whole/sweep.csv"
cmp "$work/out/sweep-merged/sweep.json" "$work/out/sweep-whole/sweep.json"
echo "slurm: sweep of 6 shards (arrays 0-3 and 0-1 +4) merged = unsharded, byte for byte"

tune_args=(tune scenarios/tune-target-tracking.yaml --set duration=15m
  --param 'auto_scaling_groups[web].scaling_policies[cpu].target=30..90'
  --param 'auto_scaling_groups[web].scaling_policies[cpu].estimated_instance_warmup=30s..300s'
  --objective cost_usd --constraint 'requests.error_rate_pct<=0.5'
  --constraint 'latency_p99_ms<=500' --budget 8 --replications 2 --streams 4
  --no-charts --jobs 1)
cat >"$work/tune.sh" <<JOB
#!/bin/bash
exec "$bin" ${tune_args[*]@Q} --shard auto --shards 4 \\
  --out "$work/out/tune-shard-\$SLURM_ARRAY_TASK_ID"
JOB
sbatch --wait --array=0-3 --output="$work/out/%A_%a.log" "$work/tune.sh" >/dev/null
"$bin" merge "$work"/out/tune-shard-{0..3} --out "$work/out/tune-merged" --no-charts >/dev/null
"$bin" "${tune_args[@]}" --out "$work/out/tune-whole" >/dev/null
for f in tune.csv tune.md best.yaml tune.json; do
  cmp "$work/out/tune-merged/$f" "$work/out/tune-whole/$f"
done
echo "slurm: tune of 4 shards (array 0-3) merged = unsharded, byte for byte"
echo "slurm test passed"
