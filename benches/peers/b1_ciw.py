#!/usr/bin/env python3
"""B1 in Ciw: a network of 5 nodes in series (Direct routing), c servers each, exponential
service, Poisson arrivals at node 1, FIFO (Ciw's default discipline). See
shared/benchmarks/B1.md.

    python b1_ciw.py --reps 60 --seed 1

prints one JSON line (see _b1common.report). cpu_seconds is time.process_time() over the
replication loop (network and Simulation building, simulation, reading each item's records),
not interpreter start-up, imports or the final pooled percentiles.

How a replication stops after exactly 1,000 arrivals, then runs until all have left
-------------------------------------------------------------------------------------
Ciw has no built-in "stop arriving after N customers, then drain" rule:
simulate_until_max_customers(N, method="Arrive") stops the whole simulation at the N-th arrival
(items still inside are never finished), and method="Complete" on an endless Poisson stream
stops at the N-th *departure*, which with overtaking in the multi-server stages need not be
the N-th arrival, while arrivals N+1, N+2, ... keep entering and competing for workers.

So the arrival distribution itself stops: FirstNExponential below is ciw.dists.Exponential
that returns exponential inter-arrival times for its first 1,000 samples and float("inf")
after that. Ciw's ArrivalNode samples it once at start (the first arrival time, counted from
t = 0) and once after every arrival (the gap to the next one), so exactly 1,000 customers
arrive and the 1,001st "arrival" is scheduled at t = inf, i.e. never. The run is then
simulate_until_max_customers(1000, method="Complete"): it goes on until 1,000 customers have
completed their journey at the exit node, which are then exactly the 1,000 arrivals. Ciw
deep-copies each distribution into every Simulation, so the counter starts at 0 in every
replication; we also build a fresh network per replication.
"""

from random import expovariate

import ciw

from _b1common import ARRIVAL_RATE, ITEMS, STAGES, run


class FirstNExponential(ciw.dists.Exponential):
    """Exponential inter-arrival times for the first n samples, then never again (inf)."""

    def __init__(self, rate, n):
        super().__init__(rate=rate)
        self.n = n
        self.drawn = 0

    def sample(self, t=None, ind=None):
        if self.drawn >= self.n:
            return float("inf")
        self.drawn += 1
        return expovariate(self.rate)  # what ciw.dists.Exponential.sample does


def network():
    """B1 as a Ciw network: arrivals only at node 1, then nodes 1 -> 2 -> 3 -> 4 -> 5 -> exit."""
    last = len(STAGES)
    return ciw.create_network(
        arrival_distributions=[FirstNExponential(ARRIVAL_RATE, ITEMS)] + [None] * (last - 1),
        service_distributions=[ciw.dists.Exponential(rate=1.0 / mean) for _, _, mean in STAGES],
        number_of_servers=[c for _, c, _ in STAGES],
        routing=ciw.routing.NetworkRouting(
            routers=[ciw.routing.Direct(to=k + 1) for k in range(1, last)] + [ciw.routing.Leave()]
        ),
    )


def replicate(seed, lead_times, wait_sums):
    """One replication; appends its items' lead times and adds to wait_sums."""
    ciw.seed(seed)  # seeds Python's `random` (used by Ciw's distributions) and Ciw's numpy rng
    sim = ciw.Simulation(network())
    sim.simulate_until_max_customers(ITEMS, method="Complete")
    done = sim.nodes[-1].all_individuals  # the exit node: customers that left node 5
    for ind in done:
        recs = ind.data_records  # one service record per node visited, in order
        lead_times.append(recs[-1].exit_date - recs[0].arrival_date)
        for rec in recs:
            wait_sums[rec.node - 1] += rec.waiting_time


def main():
    run("ciw", "B1 in Ciw: 5 nodes in series, arrivals stop after 1,000 customers", replicate)


if __name__ == "__main__":
    main()
