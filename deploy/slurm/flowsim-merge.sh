#!/usr/bin/env bash
# Puts the shards of a flowsim-array.sh job together into the results of the whole run, in
# results/<array job id>/merged/ (report.html, summary.json, stages.csv, lead_times.csv, the
# charts). Submit it to start when every task of the array has succeeded:
#
#   JOBID=$(sbatch --parsable deploy/slurm/flowsim-array.sh my-stream.toml 100000)
#   sbatch --dependency=afterok:${JOBID%%;*} deploy/slurm/flowsim-merge.sh "${JOBID%%;*}"
#
# `afterok` on an array job waits for all its tasks; if one fails, this job never starts (see
# it with `squeue`, reason DependencyNeverSatisfied): rerun the failed shard, then run this
# script by hand. flowsim refuses to merge with a shard missing or given twice, and says which.
#
# Environment: FLOWSIM (the binary, default flowsim on PATH), FLOWSIM_RESULTS (default results).
#
#SBATCH --job-name=flowsim-merge
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=4
#SBATCH --time=00:30:00
#SBATCH --output=slurm-%j.out

set -euo pipefail

job=${1:?usage: sbatch flowsim-merge.sh ARRAY_JOB_ID}
flowsim=${FLOWSIM:-flowsim}
results=${FLOWSIM_RESULTS:-results}

exec "$flowsim" merge "$results/$job"/task-* --out "$results/$job/merged" \
  --threads "${SLURM_CPUS_PER_TASK:-1}"
