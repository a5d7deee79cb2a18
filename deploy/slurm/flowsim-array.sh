#!/usr/bin/env bash
# One flowsim scenario in 16 shards, one Slurm array task each. Every task runs its share of the
# replications (`--shard auto` reads SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and
# SLURM_ARRAY_TASK_COUNT) and writes a partial result to results/<array job id>/task-<task id>/.
# flowsim-merge.sh, submitted to start when every task has succeeded, puts them together:
#
#   JOBID=$(sbatch --parsable deploy/slurm/flowsim-array.sh my-stream.toml 100000)
#   sbatch --dependency=afterok:${JOBID%%;*} deploy/slurm/flowsim-merge.sh "${JOBID%%;*}"
#
# Arguments: the scenario file, then (optionally) the number of replications of the whole run
# (default: the scenario's `runs`). Every task must get the same ones; the merge refuses shards
# of different runs.
#
# More or fewer shards: change --array below or override it with `sbatch --array=0-63 ...`. The
# array must be one contiguous range (no step, no list). The task IDs count from 0, flowsim's
# shards from 1: task 0 is shard 1 of 16. To rerun one failed task, run its shard by number
# (`flowsim run my-stream.toml --runs 100000 --shard 6/16 --out results/<job id>/task-5` for
# task 5): an array of one task would have SLURM_ARRAY_TASK_COUNT=1.
#
# Environment: FLOWSIM (the binary, default flowsim on PATH), FLOWSIM_RESULTS (default results).
#
#SBATCH --job-name=flowsim-shards
#SBATCH --array=0-15
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=4
#SBATCH --time=02:00:00
#SBATCH --output=slurm-%A_%a.out

set -euo pipefail

scenario=${1:?usage: sbatch flowsim-array.sh SCENARIO [RUNS]}
runs=${2:-}
flowsim=${FLOWSIM:-flowsim}
results=${FLOWSIM_RESULTS:-results}
out="$results/$SLURM_ARRAY_JOB_ID/task-$SLURM_ARRAY_TASK_ID"

args=(run "$scenario" --shard auto --out "$out" --threads "${SLURM_CPUS_PER_TASK:-1}")
if [ -n "$runs" ]; then
  args+=(--runs "$runs")
fi
exec "$flowsim" "${args[@]}"
