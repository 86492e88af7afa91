#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, started for the test and
# stopped after it: munged and slurmctld/slurmd configured in a temporary
# folder (nothing under /etc is changed), an `sbatch --array=0-(N-1)` job that
# scans the shared corpus, one shard per array task ($SLURM_ARRAY_TASK_ID),
# and a check that the shards concatenated equal one unsharded run.
# Run as root (Debian's slurm-wlm and munge are installed when missing):
#   scripts/slurm_test.sh [BUILD_DIR] [CORPUS] [SHARDS]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
CORPUS=$(cd "${2:-$ROOT/../shared/corpus}" 2>/dev/null && pwd) || { echo "slurm_test: no corpus at ${2:-$ROOT/../shared/corpus}: skipped"; exit 77; }
SHARDS=${3:-4}
MTOOL=$BUILD/mtool
[ -x "$MTOOL" ] || { echo "slurm_test: build mtool first ($MTOOL missing)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "slurm_test: skipped: needs root (it starts munged, slurmctld and slurmd)"; exit 77; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >/dev/null
fi

WORK=$(mktemp -d /tmp/mtool-slurm.XXXXXX)
chmod 755 "$WORK"
HOST=$(hostname -s)
cleanup() {
  for pidfile in "$WORK/slurmd.pid" "$WORK/slurmctld.pid" "$WORK/munged.pid"; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT

# munge: its own key, socket and logs in $WORK.
mkdir -p "$WORK/munge"
chmod 700 "$WORK/munge"
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$WORK/munge/munge.key"
munged --force --key-file="$WORK/munge/munge.key" --socket="$WORK/munge/munge.socket" \
  --pid-file="$WORK/munged.pid" --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/munged.seed"

mkdir -p "$WORK/state" "$WORK/spool" "$WORK/out"
cat > "$WORK/slurm.conf" <<CONF
ClusterName=mtooltest
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$WORK/munge/munge.socket
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$HOST CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$WORK/slurm.conf
slurmctld
slurmd
for _ in $(seq 1 30); do
  sinfo -h -o %T 2>/dev/null | grep -Eq '^(idle|mixed|allocated)' && break
  sleep 1
done
sinfo -h -o '%P %T %N' | grep -q idle || { echo "slurm_test: the node never became idle" >&2; tail -20 "$WORK"/slurm*.log >&2; exit 1; }

# The job script users would write: one shard per array task, resumable.
cat > "$WORK/scan_array.sh" <<JOB
#!/bin/sh
#SBATCH --job-name=mtool-scan
#SBATCH --output=$WORK/out/task-%a.log
exec "$MTOOL" scan --shard "\$SLURM_ARRAY_TASK_ID/$SHARDS" --resume "$WORK/out/shard-\$SLURM_ARRAY_TASK_ID.jsonl" "$CORPUS"
JOB
START=$(date +%s)
JOB=$(sbatch --parsable --wait --array=0-$((SHARDS - 1)) "$WORK/scan_array.sh" || true)
echo "slurm_test: array job $JOB finished in $(( $(date +%s) - START )) s"
# scan exits 1 when something is dangerous (the corpus has malicious samples): every task must have run.
for k in $(seq 0 $((SHARDS - 1))); do
  [ -s "$WORK/out/shard-$k.jsonl" ] || { echo "slurm_test: task $k wrote nothing" >&2; cat "$WORK/out/task-$k.log" >&2 || true; exit 1; }
done

"$MTOOL" scan --json "$CORPUS" > "$WORK/whole.jsonl" || true
cat "$WORK"/out/shard-*.jsonl > "$WORK/merged.jsonl"
/usr/bin/python3 - "$WORK/merged.jsonl" "$WORK/whole.jsonl" "$SHARDS" <<'PY'
import json, sys
def split(path):
    records, summaries = [], []
    for line in open(path):
        row = json.loads(line)
        if row["schema"].endswith("-summary/1"):
            summaries.append(row)
        else:
            records.append(json.dumps(row, sort_keys=True))
    return sorted(records), summaries
merged, shard_summaries = split(sys.argv[1])
whole, (whole_summary,) = split(sys.argv[2])
assert merged == whole, f"merged shards hold {len(merged)} records, one run {len(whole)}"
shards = int(sys.argv[3])
assert sorted(s["shard"] for s in shard_summaries) == sorted(f"{k}/{shards}" for k in range(shards)), shard_summaries
for key in ("files", "safe", "unknown", "dangerous", "incomplete", "unreadable"):
    total = sum(s[key] for s in shard_summaries)
    assert total == whole_summary[key], (key, total, whole_summary[key])
print(f"slurm_test: {len(shard_summaries)} shards, {len(merged)} files, merged result equals one unsharded run")
PY
