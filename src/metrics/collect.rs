//! What replications contribute: an [`Observer`] that sums each replication's measured items
//! into small per-replication totals and records their values in the histograms of its batch
//! (noted at once, counted into buckets a few thousand at a time), and the [`Histograms`] of one
//! batch of replications.

use super::histogram::Histogram;

/// Values a collector counts into the histograms' buckets a few replications at a time
/// ([`Histogram::defer_all`]), once it holds this many for each histogram.
const DEFER: usize = 4096;
use crate::engine::{DoneItems, ItemRecord, Observer, RunStats};

/// Sums over the measured items of one stage in one replication.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTotals {
    pub wait: f64,
    pub queue: f64,
    pub blocked: f64,
    pub blocker: f64,
    pub cadence: f64,
    pub delay: f64,
    pub work: f64,
    pub visits: u64,
}

/// Sums over the measured items of one work type in one replication.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TypeTotals {
    pub items: u64,
    pub lead: f64,
    pub wait: f64,
}

/// Everything one replication adds to the summary, apart from histogram counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepTotals {
    /// Measured items (done, index at or past the warm-up).
    pub items: u64,
    pub lead: f64,
    /// Sum of squared lead times (for the pooled standard deviation).
    pub lead_sq: f64,
    pub cycle: f64,
    pub cycle_sq: f64,
    pub backlog_wait: f64,
    pub work: f64,
    /// Sum over items of work / lead time.
    pub efficiency: f64,
    pub lead_min: f64,
    pub lead_max: f64,
    /// Time the last item was done (`items` stop rule).
    pub makespan: Option<f64>,
    pub stages: Vec<StageTotals>,
    pub types: Vec<TypeTotals>,
    pub run: RunStats,
}

/// An item's flow efficiency: work / lead time (1 for an item with no lead time).
#[inline]
fn efficiency(lead: f64, work: f64) -> f64 {
    if lead > 0.0 {
        (work / lead).min(1.0)
    } else {
        1.0
    }
}

impl RepTotals {
    /// Adds one measured item's figures (and its work type's).
    #[inline]
    fn add_item(
        &mut self,
        lead: f64,
        cycle: f64,
        backlog_wait: f64,
        work: f64,
        eff: f64,
        ty: usize,
    ) {
        self.items += 1;
        self.lead += lead;
        self.lead_sq += lead * lead;
        self.cycle += cycle;
        self.cycle_sq += cycle * cycle;
        self.backlog_wait += backlog_wait;
        self.work += work;
        self.efficiency += eff;
        self.lead_min = self.lead_min.min(lead);
        self.lead_max = self.lead_max.max(lead);
        let t = &mut self.types[ty];
        t.items += 1;
        t.lead += lead;
        t.wait += lead - work;
    }
}

/// One histogram per distribution reported with percentiles. Serialized (histograms sparsely) in a
/// sharded run's `histograms.json`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Histograms {
    pub lead: Histogram,
    /// Cycle times ([`Histograms::cycle`]): empty while `as_lead`.
    cycle: Histogram,
    pub efficiency: Histogram,
    pub makespan: Histogram,
    /// Per stage: each measured item's total wait there.
    pub stage_wait: Vec<Histogram>,
    /// Per stage: each measured item's total time there (wait and work).
    pub stage_time: Vec<Histogram>,
    /// Per work type: lead times ([`Histograms::type_lead`]); with one type, empty while
    /// `as_lead`.
    type_lead: Vec<Histogram>,
    /// Whether every lead time recorded was also the item's cycle time and, with one work type,
    /// its type's lead time, so that those histograms are `lead` itself and are not counted
    /// twice over: items that entered the stream as they arrived, as the tandem solver's do.
    #[serde(default)]
    as_lead: bool,
}

impl PartialEq for Histograms {
    fn eq(&self, other: &Histograms) -> bool {
        (self.lead == other.lead && self.cycle_times() == other.cycle_times())
            && (self.efficiency == other.efficiency && self.makespan == other.makespan)
            && (self.stage_wait == other.stage_wait && self.stage_time == other.stage_time)
            && self.types() == other.types()
            && (0..self.types()).all(|i| self.type_lead(i) == other.type_lead(i))
    }
}

impl Histograms {
    pub fn new(stages: usize, types: usize) -> Histograms {
        Histograms {
            stage_wait: vec![Histogram::new(); stages],
            stage_time: vec![Histogram::new(); stages],
            type_lead: vec![Histogram::new(); types],
            ..Histograms::default()
        }
    }

    /// Cycle times.
    pub fn cycle_times(&self) -> &Histogram {
        if self.as_lead {
            &self.lead
        } else {
            &self.cycle
        }
    }

    /// Lead times of work type `i`.
    pub fn type_lead(&self, i: usize) -> &Histogram {
        if self.as_lead && self.type_lead.len() == 1 {
            &self.lead
        } else {
            &self.type_lead[i]
        }
    }

    /// How many work types.
    pub fn types(&self) -> usize {
        self.type_lead.len()
    }

    /// Whether lead, cycle and the one work type's lead times hold nothing.
    fn leads_empty(&self) -> bool {
        self.lead.is_empty()
            && self.cycle.is_empty()
            && (self.type_lead.len() != 1 || self.type_lead[0].is_empty())
    }

    /// Records lead times (of items of work types `types`) as cycle times where those are not
    /// held as lead, and as their types' lead times where those are not.
    #[cold]
    fn record_apart(&mut self, leads: &[f64], types: &[u16]) {
        if !self.as_lead {
            self.cycle.record_all(leads.iter().copied());
        }
        match self.type_lead.as_mut_slice() {
            [_] if self.as_lead => {}
            by_type => {
                for (&lead, &ty) in leads.iter().zip(types) {
                    by_type[usize::from(ty)].record(lead);
                }
            }
        }
    }

    /// Holds cycle times (and the one work type's lead times) apart from lead times again.
    fn unalias(&mut self) {
        if std::mem::take(&mut self.as_lead) {
            self.cycle = self.lead.clone();
            if let [only] = self.type_lead.as_mut_slice() {
                *only = self.lead.clone();
            }
        }
    }

    pub fn merge(&mut self, other: &Histograms) {
        if self.as_lead != other.as_lead {
            if self.leads_empty() {
                self.as_lead = other.as_lead;
            } else if other.as_lead {
                let mut other = other.clone();
                other.unalias();
                self.unalias();
                return self.merge(&other);
            } else {
                self.unalias();
            }
        }
        self.lead.merge(&other.lead);
        self.cycle.merge(&other.cycle);
        self.efficiency.merge(&other.efficiency);
        self.makespan.merge(&other.makespan);
        for (a, b) in self.stage_wait.iter_mut().zip(&other.stage_wait) {
            a.merge(b);
        }
        for (a, b) in self.stage_time.iter_mut().zip(&other.stage_time) {
            a.merge(b);
        }
        for (a, b) in self.type_lead.iter_mut().zip(&other.type_lead) {
            a.merge(b);
        }
    }
}

/// Observes one replication at a time, summing its items into totals and recording their values
/// into the histograms it was given (those of the replication's batch); reused across
/// replications to avoid allocation. The histograms are complete once it is dropped.
#[derive(Debug)]
pub struct Collector<'h> {
    warmup: u64,
    totals: RepTotals,
    hist: &'h mut Histograms,
    /// Buckets noted but not yet counted, per histogram (see [`Deferred`]).
    later: Deferred,
    /// Scratch for `items_done`: lead times, flow efficiencies and one stage's waits by item,
    /// and zeros for the columns a stage does not have.
    leads: Vec<f64>,
    effs: Vec<f64>,
    waits: Vec<f64>,
    zeros: Vec<f64>,
}

impl<'h> Collector<'h> {
    /// A collector for a stream of `stages` stages and `types` work types that leaves out the
    /// first `warmup_items` items and records values into `hist`.
    pub fn new(stages: usize, types: usize, warmup_items: u32, hist: &'h mut Histograms) -> Self {
        let mut c = Collector {
            warmup: u64::from(warmup_items),
            totals: RepTotals::default(),
            hist,
            leads: Vec::new(),
            effs: Vec::new(),
            waits: Vec::new(),
            zeros: Vec::new(),
            later: Deferred {
                stage_wait: vec![Vec::new(); stages],
                stage_time: vec![Vec::new(); stages],
                ..Deferred::default()
            },
        };
        c.totals.stages = vec![StageTotals::default(); stages];
        c.totals.types = vec![TypeTotals::default(); types];
        c.begin();
        c
    }

    /// Starts a new replication.
    pub fn begin(&mut self) {
        let t = &mut self.totals;
        t.items = 0;
        t.lead = 0.0;
        t.lead_sq = 0.0;
        t.cycle = 0.0;
        t.cycle_sq = 0.0;
        t.backlog_wait = 0.0;
        t.work = 0.0;
        t.efficiency = 0.0;
        t.lead_min = f64::INFINITY;
        t.lead_max = f64::NEG_INFINITY;
        t.makespan = None;
        t.stages.fill(StageTotals::default());
        t.types.fill(TypeTotals::default());
    }

    /// Ends the replication (its values are in the histograms already) and returns its totals.
    pub fn finish(&mut self, run: RunStats, makespan: Option<f64>) -> RepTotals {
        if let Some(m) = makespan {
            self.hist.makespan.record(m);
        }
        let mut totals = self.totals.clone();
        totals.makespan = makespan;
        totals.run = run;
        totals
    }
}

impl Drop for Collector<'_> {
    /// Counts what is left to count: the histograms are complete once the collector is gone.
    fn drop(&mut self) {
        self.later.count_into(self.hist);
    }
}

/// Per histogram of [`Histograms`] that `items_done` fills, the buckets of values noted but not
/// yet counted.
#[derive(Debug, Default)]
struct Deferred {
    lead: Vec<u16>,
    efficiency: Vec<u16>,
    stage_wait: Vec<Vec<u16>>,
    stage_time: Vec<Vec<u16>>,
}

impl Deferred {
    /// Counts them into `h`, a histogram at a time.
    fn count_into(&mut self, h: &mut Histograms) {
        let count = |h: &mut Histogram, later: &mut Vec<u16>| {
            h.count_later(later);
            later.clear();
        };
        count(&mut h.lead, &mut self.lead);
        count(&mut h.efficiency, &mut self.efficiency);
        for (h, later) in h.stage_wait.iter_mut().zip(&mut self.stage_wait) {
            count(h, later);
        }
        for (h, later) in h.stage_time.iter_mut().zip(&mut self.stage_time) {
            count(h, later);
        }
    }
}

impl Observer for Collector<'_> {
    const TIMELINE: bool = false;

    /// As `item_done` for each item in turn, bit for bit: every sum adds the same values in
    /// the same order (the order items were done; times that are zero for every item are added
    /// as zeros, which changes no sum), and the histograms count the same values, taken here
    /// in the order the columns hold them, without indirection, a histogram at a time, so that
    /// each stays in the cache.
    fn items_done(&mut self, items: &DoneItems<'_>) {
        // The measured items (past the warm-up): a range of the columns.
        let n = items.arrival.len();
        let measured = (self.warmup.min(n as u64) as usize)..n;
        let order: Vec<u32>;
        let order = if self.warmup == 0 {
            items.order
        } else {
            order = items
                .order
                .iter()
                .copied()
                .filter(|&i| u64::from(i) >= self.warmup)
                .collect();
            &order
        };
        let t = &mut self.totals;
        let h = &mut *self.hist;
        let (leads, effs, zeros) = (&mut self.leads, &mut self.effs, &mut self.zeros);
        // Lead times and flow efficiencies by item, then added up in the order items were done.
        leads.clear();
        leads.extend(items.done.iter().zip(items.arrival).map(|(d, a)| d - a));
        effs.clear();
        effs.extend(
            leads
                .iter()
                .zip(items.work)
                .map(|(&l, &w)| efficiency(l, w)),
        );
        for &i in order {
            let i = i as usize;
            let lead = leads[i];
            // The item entered the first stage as it arrived: cycle time is lead time, and it
            // waited nothing in the backlog.
            let ty = usize::from(items.work_type[i]);
            t.add_item(lead, lead, 0.0, items.work[i], effs[i], ty);
        }
        let (leads, effs) = (&leads[measured.clone()], &effs[measured.clone()]);
        let later = &mut self.later;
        // Cycle times are lead times here: counted once, in `lead`, unless the histograms hold
        // cycle times of their own already (never so in a run, whose replications all go
        // through one solver).
        if h.leads_empty() {
            h.as_lead = true;
        }
        h.lead.defer_all(leads, &mut later.lead);
        h.efficiency.defer_all(effs, &mut later.efficiency);
        if !h.as_lead || h.type_lead.len() > 1 {
            h.record_apart(leads, &items.work_type[measured.clone()]);
        }
        if zeros.len() < n {
            zeros.resize(n, 0.0);
        }
        let waits = &mut self.waits;
        for (((acc, c), (hw, ht)), (lw, lt)) in t
            .stages
            .iter_mut()
            .zip(items.stages)
            .zip(h.stage_wait.iter_mut().zip(h.stage_time.iter_mut()))
            .zip(later.stage_wait.iter_mut().zip(later.stage_time.iter_mut()))
        {
            let none = &zeros[..n];
            let (queue, cadence, delay, work) = (
                c.queue.unwrap_or(none),
                c.cadence.unwrap_or(none),
                c.delay.unwrap_or(none),
                c.work.unwrap_or(none),
            );
            // The sums in one loop, each its own chain of additions, in the order items were
            // done; the wait as StageTimes::wait adds it up: queue + blocked + blocker +
            // cadence + delay (blocked and blocker are zero here).
            if c.cadence.is_none() && c.delay.is_none() && acc.wait.to_bits() == acc.queue.to_bits()
            {
                // The wait is the queue time, and its sum the queue's.
                let (mut sq, mut sw) = (acc.queue, acc.work);
                for &i in order {
                    let i = i as usize;
                    sq += queue[i];
                    sw += work[i];
                }
                (acc.queue, acc.work, acc.wait) = (sq, sw, sq);
            } else {
                let (mut sq, mut sc, mut sd, mut sw, mut swait) =
                    (acc.queue, acc.cadence, acc.delay, acc.work, acc.wait);
                for &i in order {
                    let i = i as usize;
                    let (q, c, d) = (queue[i], cadence[i], delay[i]);
                    sq += q;
                    sc += c;
                    sd += d;
                    sw += work[i];
                    swait += q + c + d;
                }
                (acc.queue, acc.cadence, acc.delay, acc.work, acc.wait) = (sq, sc, sd, sw, swait);
            }
            acc.visits += order.len() as u64;
            let m = measured.clone();
            waits.clear();
            waits.extend(
                queue[m.clone()]
                    .iter()
                    .zip(&cadence[m.clone()])
                    .zip(&delay[m.clone()])
                    .map(|((q, c), d)| q + c + d),
            );
            hw.defer_all(waits, lw);
            for (w, k) in waits.iter_mut().zip(&work[m]) {
                *w += k;
            }
            ht.defer_all(waits, lt);
        }
        if later.lead.len() >= DEFER {
            later.count_into(h);
        }
    }

    fn item_done(&mut self, item: &ItemRecord<'_>) {
        if item.index < self.warmup {
            return;
        }
        if self.hist.as_lead {
            // Cycle times of their own from here on: the histograms hold them apart, complete.
            self.later.count_into(self.hist);
            self.hist.unalias();
        }
        let lead = item.lead_time();
        let t = &mut self.totals;
        let h = &mut *self.hist;
        let work = item.work();
        let eff = efficiency(lead, work);
        t.add_item(
            lead,
            item.cycle_time(),
            item.entry - item.arrival,
            work,
            eff,
            item.work_type,
        );
        for (((acc, st), hw), ht) in t
            .stages
            .iter_mut()
            .zip(item.stages)
            .zip(h.stage_wait.iter_mut())
            .zip(h.stage_time.iter_mut())
        {
            let w = st.wait();
            acc.wait += w;
            acc.queue += st.queue;
            acc.blocked += st.blocked;
            acc.blocker += st.blocker;
            acc.cadence += st.cadence;
            acc.delay += st.delay;
            acc.work += st.work;
            acc.visits += u64::from(st.visits);
            hw.record(w);
            ht.record(w + st.work);
        }
        h.lead.record(lead);
        h.cycle.record(item.cycle_time());
        h.efficiency.record(eff);
        h.type_lead[item.work_type].record(lead);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Histograms with `values` as lead, cycle and the one type's lead times, held apart or
    /// as one.
    fn leads(values: &[f64], as_lead: bool) -> Histograms {
        let mut h = Histograms::new(1, 1);
        h.as_lead = as_lead;
        h.lead.record_all(values.iter().copied());
        if !as_lead {
            h.cycle.record_all(values.iter().copied());
            h.type_lead[0].record_all(values.iter().copied());
        }
        h
    }

    #[test]
    fn cycle_times_held_as_lead_times_merge_as_if_held_apart() {
        let (x, y) = ([1.0, 2.5, 0.0, 7.0], [3.0, 0.25, 9.5]);
        let mut want = leads(&x, false);
        want.merge(&leads(&y, false));
        for (a, b) in [(true, true), (true, false), (false, true)] {
            let mut got = leads(&x, a);
            got.merge(&leads(&y, b));
            assert!(got == want, "{a} {b}");
            assert_eq!(got.cycle_times().count(), 7);
            assert_eq!(
                got.type_lead(0).quantile(0.5),
                want.type_lead(0).quantile(0.5)
            );
            // Only what was held as one stays so.
            assert_eq!(got.as_lead, a && b);
        }
        // An empty set takes the form of what it is merged with.
        let mut fresh = Histograms::new(1, 1);
        fresh.merge(&leads(&x, true));
        assert!(fresh.as_lead && fresh == leads(&x, false));
        // A set held as one differs from one whose cycle times differ.
        let mut other = leads(&x, false);
        other.cycle.record(4.0);
        assert!(leads(&x, true) != other);
    }
}
