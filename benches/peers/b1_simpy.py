#!/usr/bin/env python3
"""B1 in SimPy, written the usual way: one process per work item, one simpy.Resource(capacity=c)
per stage (SimPy resources serve requests FIFO). See shared/benchmarks/B1.md.

    python b1_simpy.py --reps 200 --seed 1

prints one JSON line (see _b1common.report). cpu_seconds is time.process_time() over the
replication loop (model building, simulation and recording of every item), not interpreter
start-up, imports or the final pooled percentiles.
"""

import random

import simpy

from _b1common import ARRIVAL_RATE, ITEMS, STAGES, run


def item(env, stages, rng, lead_times, wait_sums):
    """One work item: queue for a worker at each stage in turn, work, move on."""
    arrived = env.now
    for k, (workers, mean) in enumerate(stages):
        joined = env.now
        with workers.request() as req:
            yield req  # FIFO queue in front of the stage's c workers
            wait_sums[k] += env.now - joined
            yield env.timeout(rng.expovariate(1.0 / mean))  # fresh exponential work duration
    lead_times.append(env.now - arrived)


def source(env, stages, rng, lead_times, wait_sums):
    """Poisson arrivals: the first after one inter-arrival time from t = 0, ITEMS in all."""
    for _ in range(ITEMS):
        yield env.timeout(rng.expovariate(ARRIVAL_RATE))
        env.process(item(env, stages, rng, lead_times, wait_sums))


def replicate(seed, lead_times, wait_sums):
    """One replication; appends its items' lead times and adds to wait_sums."""
    rng = random.Random(seed)
    env = simpy.Environment()
    stages = [(simpy.Resource(env, capacity=c), mean) for _, c, mean in STAGES]
    env.process(source(env, stages, rng, lead_times, wait_sums))
    env.run()  # no `until`: runs until no event is left, i.e. every item has left Deploy


def main():
    run("simpy", "B1 in SimPy: one process per item, one Resource per stage", replicate)


if __name__ == "__main__":
    main()
