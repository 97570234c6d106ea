#!/bin/bash
# slurm-check.sh: checks mlptui's sharded sweeps on a real Slurm, a
# one-node cluster on this machine. It installs Debian's slurm-wlm and
# munge (apt-get; root or sudo), starts munged, slurmctld and slurmd on
# localhost with a configuration of its own (in a scratch directory: the
# system's /etc/slurm and /etc/munge are left alone; its own ports),
# builds mlptui, submits an Iris sweep of 8 trials as `sbatch --array` of
# 4 tasks each running `mlptui sweep ... --shard auto`, waits for it, and
# checks that every trial ran exactly once (one run each, started once,
# never resumed, done) and that `mlptui sweep ... --leaderboard` lists all
# 8. It stops the daemons it started and removes the scratch directory
# (KEEP=1 keeps it). Exit 0 when all holds.
#
#   tools/slurm-check.sh                  # from the repository's root
#   MLPTUI=/path/to/mlptui tools/slurm-check.sh   # a binary of your own instead of go build
#
# Environment: SLURM_CHECK_PORT (slurmctld's port, default 17817; slurmd
# takes the next), SLURM_CHECK_TIMEOUT (seconds to wait for the array,
# default 600), KEEP=1.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
port=${SLURM_CHECK_PORT:-17817}
timeout=${SLURM_CHECK_TIMEOUT:-600}
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo=sudo
fi
say() { printf '== %s\n' "$*"; }
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# 1. Debian's packages: a no-op where they are installed.
say "installing slurm-wlm and munge"
if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null; then
	$sudo apt-get update -q >/dev/null
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
fi
for cmd in munged slurmctld slurmd sbatch squeue scontrol sinfo; do
	command -v "$cmd" >/dev/null || fail "$cmd is not installed"
done
slurmctld -V

# 2. The scratch directory, and a trap that stops what this script starts.
work=$(mktemp -d /tmp/mlptui-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
	local status=$?
	for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
		if [ -s "$pidfile" ]; then
			pid=$(cat "$pidfile")
			$sudo kill "$pid" 2>/dev/null || true
			for _ in $(seq 50); do
				$sudo kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
		fi
	done
	for pid in "${pids[@]}"; do # the foreground daemons, if their pid files are not there yet
		$sudo kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ "${KEEP:-}" = 1 ]; then
		echo "kept $work"
	else
		$sudo rm -rf "$work"
	fi
	say "stopped slurmd, slurmctld and munged"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 3. munge with a key and socket of its own.
mkdir -m 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
$sudo chown -R root:root "$work/munge"
socket="$work/munge/munge.socket"
$sudo munged --force --foreground --socket="$socket" --key-file="$work/munge/munge.key" \
	--pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" \
	2>"$work/munged.err" &
pids+=($!)
for _ in $(seq 100); do
	[ -S "$socket" ] && break
	sleep 0.1
done
[ -S "$socket" ] || fail "munged did not start: $(cat "$work/munged.err")"
say "munged on $socket"

# 4. slurm.conf: one node, localhost, every core; no cgroups, no accounting.
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool" "$work/out"
: >"$work/plugstack.conf"
cat >"$work/slurm.conf" <<EOF
ClusterName=mlptui-check
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
PlugStackConfig=$work/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=3600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=check Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"

# 5. slurmctld and slurmd, in the foreground of their own processes.
$sudo env SLURM_CONF="$SLURM_CONF" slurmctld -D -f "$SLURM_CONF" 2>"$work/slurmctld.err" &
pids+=($!)
$sudo env SLURM_CONF="$SLURM_CONF" slurmd -D -f "$SLURM_CONF" -N localhost 2>"$work/slurmd.err" &
pids+=($!)
state=""
for _ in $(seq 300); do
	state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
	[ "$state" = idle ] && break
	sleep 0.2
done
if [ "$state" != idle ]; then
	tail -n 20 "$work"/slurmctld.log "$work"/slurmd.log "$work"/*.err 2>/dev/null || true
	fail "the node is not idle after 60 s (state '$state')"
fi
say "slurmctld and slurmd up: node localhost idle, $cpus CPUs, ports $port and $((port + 1))"

# 6. mlptui, and the job array: 4 tasks, each its shard of an 8-trial sweep.
if [ -n "${MLPTUI:-}" ]; then
	cp "$MLPTUI" "$work/mlptui"
else
	(cd "$repo" && go build -o "$work/mlptui" ./cmd/mlptui)
fi
sweep=("$work/mlptui" sweep --runs "$work/runs" --name slurm-check --dataset iris --hidden 64 --epochs 500
	--lr 1e-3,1e-2 --dropout 0,0.1,0.2,0.3 --val-split 0.2 --threads 1)
{
	echo '#!/bin/bash'
	echo '#SBATCH --job-name=mlptui-sweep'
	echo '#SBATCH --array=0-3'
	echo '#SBATCH --cpus-per-task=1'
	echo "#SBATCH --output=$work/out/task-%A_%a.out"
	echo 'echo "task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname)"'
	printf 'exec'
	printf ' %q' "${sweep[@]}" --shard auto
	echo
} >"$work/sweep.sbatch"
chmod 755 "$work/sweep.sbatch"
job=$(sbatch --parsable "$work/sweep.sbatch")
job=${job%%;*}
say "submitted job array $job: 4 tasks ($(sed -n 's/^#SBATCH --array=//p' "$work/sweep.sbatch")) of"
sed 's/^/    /' "$work/sweep.sbatch"
squeue -j "$job" -r -o '    %.10i %.8T %.10M %R' || true

# 7. Wait for the array to leave the queue.
waited=0
while [ -n "$(squeue -h -j "$job" -o %i 2>/dev/null)" ]; do
	if [ "$waited" -ge "$timeout" ]; then
		squeue -j "$job" || true
		fail "job $job still queued or running after $timeout s"
	fi
	sleep 1
	waited=$((waited + 1))
done
say "job array $job finished after ${waited} s"
bad=0
while read -r line; do
	id=$(sed -n 's/^JobId=\([0-9]*\) .*/\1/p' <<<"$line")
	task=$(sed -n 's/.*ArrayTaskId=\([0-9]*\) .*/\1/p' <<<"$line")
	st=$(sed -n 's/.*JobState=\([A-Z_]*\) .*/\1/p' <<<"$line")
	code=$(sed -n 's/.* ExitCode=\([0-9:]*\) .*/\1/p' <<<"$line")
	echo "job ${job}_$task (job id $id): $st, exit $code"
	[ "$st" = COMPLETED ] && [ "$code" = 0:0 ] || bad=1
done < <(scontrol -o show job "$job" | sort -t= -k3)
[ "$bad" = 0 ] || fail "a task of job $job did not complete"

# 8. Every trial ran exactly once: in the tasks' output and on disk.
all=""
for task in 0 1 2 3; do
	out="$work/out/task-${job}_$task.out"
	[ -f "$out" ] || fail "no output of task $task ($out)"
	trials=$(sed -n 's|^trial \([0-9]*\)/8 .*: new run .*|\1|p' "$out" | tr '\n' ' ')
	echo "task $task: $(head -n 1 "$out"); $(grep '^sweep .* trials: ' "$out" | tail -n 1)"
	echo "task $task: trained trials ${trials:-none}"
	all="$all $trials"
done
want="1 2 3 4 5 6 7 8"
got=$(tr ' ' '\n' <<<"$all" | sed '/^$/d' | sort -n | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] || fail "the tasks trained trials '$got', want each of '$want' once"
n=0
for dir in "$work"/runs/*/; do
	n=$((n + 1))
	s=$(grep -c '"event":"start"' "$dir/events.jsonl" || true)
	r=$(grep -c '"event":"resume"' "$dir/events.jsonl" || true)
	grep -q '"status": "done"' "$dir/summary.json" || fail "$dir is not done"
	[ "$s" = 1 ] && [ "$r" = 0 ] || fail "$dir: started $s times, resumed $r times"
done
[ "$n" = 8 ] || fail "$n runs in $work/runs, want 8"
names=$(ls "$work/runs" | sed 's/.*-\(t[0-9]*\)$/\1/' | sort -u | wc -l)
[ "$names" = 8 ] || fail "$names distinct trial names among 8 runs"
say "8 runs, one per trial, each started once, none resumed, all done"

# 9. The leaderboard of the whole sweep, without training.
"${sweep[@]}" --shard auto --leaderboard >"$work/board.txt" 2>"$work/board.err" || fail "--leaderboard: $(cat "$work/board.err")"
cat "$work/board.txt"
rows=$(($(wc -l <"$work/board.txt") - 1))
[ "$rows" = 8 ] || fail "the leaderboard lists $rows trials, want 8"
if grep -q -e 'no run yet' -e 'new run' "$work/board.err"; then
	fail "--leaderboard: $(cat "$work/board.err")"
fi
say "PASS: the leaderboard lists all 8 trials"
