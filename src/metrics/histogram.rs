//! A mergeable histogram of non-negative values with bounded relative error, for percentiles over
//! millions of items without keeping them.
//!
//! Buckets are log-linear: each power of two is split into 512 equal buckets, so a bucket is at
//! most 0.2% (2^-9) of its values wide, whatever the scale (hours or years). Zeros are counted
//! exactly (waits are often exactly 0). Counts are integers, so merging histograms gives the same
//! result in any order, which keeps parallel runs bit-identical.
//!
//! Percentiles interpolate linearly between order statistics (the "type 7" definition of R and
//! NumPy's default) and within a bucket by rank, so a reported percentile is within one bucket
//! width (0.2% relative) of the exact percentile of the same values, and is exactly 0 when the
//! percentile falls among zeros.

const SUB_BITS: u32 = 9;
const SUB: usize = 1 << SUB_BITS;
/// Powers of two covered: 2^MIN_EXP up to 2^(MIN_EXP + PAGES). Values below 2^MIN_EXP (about
/// 2e-10 time units) count as zeros; values above the top land in the last bucket.
const MIN_EXP: i32 = -32;
const PAGES: usize = 96;

/// Buckets in all: `PAGES` powers of two of `SUB` buckets each.
const BUCKETS: usize = PAGES * SUB;

/// A zero in a list of buckets to count later ([`Histogram::defer_all`]); every bucket's index
/// is below it.
pub const ZERO: u16 = u16::MAX;
const _: () = assert!(BUCKETS < ZERO as usize);

/// The bucket counts: one flat array over the whole pages (powers of two) between the lowest and
/// the highest bucket used, indexed by `page * SUB + bucket - base`, so that recording a value is
/// a shift, a subtraction and an increment, and memory follows the range of the values. 32-bit
/// while the histogram holds fewer than 2^32 values, which halves the memory recording runs
/// through (cache misses are most of its cost); 64-bit beyond, so counts are exact whatever
/// the run.
#[derive(Debug, Clone)]
enum Data {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

#[derive(Debug, Clone)]
struct Counts {
    /// The first bucket held (the start of a page).
    base: usize,
    data: Data,
}

impl Counts {
    fn new() -> Counts {
        Counts {
            base: 0,
            data: Data::Narrow(Vec::new()),
        }
    }

    fn len(&self) -> usize {
        match &self.data {
            Data::Narrow(c) => c.len(),
            Data::Wide(c) => c.len(),
        }
    }

    fn get(&self, i: usize) -> u64 {
        let j = i.wrapping_sub(self.base);
        match &self.data {
            Data::Narrow(c) => c.get(j).map_or(0, |&v| u64::from(v)),
            Data::Wide(c) => c.get(j).copied().unwrap_or(0),
        }
    }

    /// Makes room for bucket `i` (and the rest of its page).
    #[cold]
    #[inline(never)]
    fn cover(&mut self, i: usize) {
        let page = i / SUB * SUB;
        if self.len() == 0 {
            self.base = page;
        }
        let (front, back) = (
            self.base.saturating_sub(page),
            (page + SUB).saturating_sub(self.base + self.len()),
        );
        if front + back == 0 {
            return;
        }
        self.base -= front;
        fn grow<T: Copy + Default>(v: &mut Vec<T>, front: usize, back: usize) {
            v.splice(0..0, std::iter::repeat_n(T::default(), front));
            v.resize(v.len() + back, T::default());
        }
        match &mut self.data {
            Data::Narrow(c) => grow(c, front, back),
            Data::Wide(c) => grow(c, front, back),
        }
    }

    fn add(&mut self, i: usize, n: u64) {
        self.cover(i);
        let j = i - self.base;
        match &mut self.data {
            Data::Narrow(c) => c[j] += u32::try_from(n).expect("guarded by the total count"),
            Data::Wide(c) => c[j] += n,
        }
    }

    fn widen(&mut self) {
        if let Data::Narrow(c) = &self.data {
            self.data = Data::Wide(c.iter().map(|&v| u64::from(v)).collect());
        }
    }
}

/// Counts of values by log-linear bucket, plus exact count, zeros, minimum and maximum.
/// Serialized sparsely: only non-empty buckets, as `[page, bucket, count]`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "Sparse", try_from = "Sparse")]
pub struct Histogram {
    /// `None` until the first value above zero.
    counts: Option<Counts>,
    zeros: u64,
    count: u64,
    min: f64,
    max: f64,
}

impl PartialEq for Histogram {
    fn eq(&self, other: &Histogram) -> bool {
        (self.zeros, self.count) == (other.zeros, other.count)
            && (self.min(), self.max()) == (other.min(), other.max())
            && self.nonempty().eq(other.nonempty())
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram {
            counts: None,
            zeros: 0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Records one value. Negative values and NaN are recorded as 0 (durations are never negative;
    /// a tiny negative can only come from rounding).
    #[inline]
    pub fn record(&mut self, v: f64) {
        self.record_all([v].into_iter());
    }

    /// Records many values, as [`Histogram::record`] each.
    #[inline]
    pub fn record_all(&mut self, values: impl ExactSizeIterator<Item = f64>) {
        for v in values {
            let (bits, code) = code(v);
            self.count += 1;
            self.zeros += u64::from(code == ZERO);
            let v = f64::from_bits(bits);
            self.min = if v < self.min { v } else { self.min };
            self.max = if v > self.max { v } else { self.max };
            self.count_later(&[code]);
        }
    }

    /// Notes values as [`Histogram::record_all`] would record them, but leaves counting them
    /// into their buckets for later: appends each value's bucket (or [`ZERO`]) to `later`, for
    /// [`Histogram::count_later`], which must be given them before the histogram is read. Noting
    /// is arithmetic the processor does several values at a time, and values for one histogram
    /// counted a few thousand at a time find its buckets in the cache.
    pub fn defer_all(&mut self, values: &[f64], later: &mut Vec<u16>) {
        if values.is_empty() {
            return;
        }
        let from = later.len();
        later.resize(from + values.len(), 0);
        self.note(values, &mut later[from..]);
    }

    /// Counts values in the count, zeros, minimum and maximum, and writes their buckets.
    fn note(&mut self, values: &[f64], out: &mut [u16]) {
        let (zeros, lo, hi) = codes(values, out);
        (self.count, self.zeros) = (self.count + values.len() as u64, self.zeros + zeros);
        self.min = self.min.min(f64::from_bits(lo));
        self.max = self.max.max(f64::from_bits(hi));
    }

    /// Counts values noted by [`Histogram::defer_all`] into their buckets.
    pub fn count_later(&mut self, later: &[u16]) {
        if later.is_empty() {
            return;
        }
        let counts = self.counts.get_or_insert_with(Counts::new);
        if self.count >= u64::from(u32::MAX) {
            counts.widen();
        }
        // Without branches but for the rare growth of the array: whether a value is zero is a
        // coin toss for waits, which the processor could not predict. A zero (counted already)
        // adds nothing to the first bucket held instead of skipping the increment.
        macro_rules! count {
            ($variant:ident, $count:ty) => {{
                let Data::$variant(c) = &mut counts.data else {
                    unreachable!()
                };
                let mut c = c.as_mut_slice();
                let mut base = counts.base;
                for &code in later {
                    let zero = code == ZERO;
                    let i = usize::from(code);
                    // In arithmetic, not a select, which the compiler would make a branch.
                    let keep = usize::from(zero).wrapping_sub(1);
                    let mut j = i.wrapping_sub(base) & keep;
                    if j >= c.len() {
                        if zero {
                            continue;
                        }
                        counts.cover(i);
                        base = counts.base;
                        let Data::$variant(grown) = &mut counts.data else {
                            unreachable!()
                        };
                        c = grown.as_mut_slice();
                        j = i - base;
                    }
                    c[j] += (keep & 1) as $count;
                }
            }};
        }
        match counts.data {
            Data::Narrow(_) => count!(Narrow, u32),
            Data::Wide(_) => count!(Wide, u64),
        }
    }

    /// The buckets held (whole pages), any of which may be non-empty.
    fn held(&self) -> std::ops::Range<usize> {
        self.counts
            .as_ref()
            .map_or(0..0, |c| c.base..c.base + c.len())
    }

    /// Non-empty buckets in order: (flat index, count).
    fn nonempty(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.held().filter_map(move |i| {
            let c = self.counts.as_ref().map_or(0, |c| c.get(i));
            (c > 0).then_some((i, c))
        })
    }

    /// Adds another histogram's counts to this one.
    pub fn merge(&mut self, other: &Histogram) {
        self.zeros += other.zeros;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        if let Some(theirs) = &other.counts {
            let mine = self.counts.get_or_insert_with(Counts::new);
            if self.count + other.count >= u64::from(u32::MAX) {
                mine.widen();
            }
            let range = other.held();
            if !range.is_empty() {
                mine.cover(range.start);
                mine.cover(range.end - 1);
                let from = range.start - mine.base;
                match (&mut mine.data, &theirs.data) {
                    (Data::Narrow(a), Data::Narrow(b)) => a[from..from + b.len()]
                        .iter_mut()
                        .zip(b)
                        .for_each(|(x, y)| *x += y),
                    _ => other.nonempty().for_each(|(i, c)| mine.add(i, c)),
                }
            }
        }
        self.count += other.count;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Smallest value recorded (exact).
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// Largest value recorded (exact).
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// Non-empty buckets in increasing order: (lower bound, upper bound, count). Zeros come first as
    /// the bucket (0, 0).
    pub fn buckets(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        let zeros = (self.zeros > 0).then_some((0.0, 0.0, self.zeros));
        zeros.into_iter().chain(self.nonempty().map(|(i, c)| {
            let (lo, hi) = bounds(i / SUB, i % SUB);
            (lo, hi, c)
        }))
    }

    /// The value at rank `r` (0-based, fractional ranks allowed) among the sorted values, estimated
    /// by spreading each bucket's values evenly across it.
    fn value_at_rank(&self, r: f64) -> f64 {
        let at = |lo: f64, hi: f64, below: u64, c: u64| {
            let within = ((r - below as f64) + 0.5) / c as f64;
            (lo + (hi - lo) * within).clamp(self.min, self.max)
        };
        // As `buckets()` walks them, but working out only the bounds of the bucket found.
        let mut below = self.zeros;
        if self.zeros > 0 && r < self.zeros as f64 {
            return at(0.0, 0.0, 0, self.zeros);
        }
        let Some(counts) = &self.counts else {
            return self.max;
        };
        let held = self.held();
        for page in held.start / SUB..held.end / SUB {
            let range = page * SUB..(page + 1) * SUB;
            // Whole pages below the rank are skipped by their totals.
            let held = range.start - counts.base..range.end - counts.base;
            let total: u64 = match &counts.data {
                Data::Narrow(c) => c[held].iter().map(|&v| u64::from(v)).sum(),
                Data::Wide(c) => c[held].iter().sum(),
            };
            if r >= (below + total) as f64 {
                below += total;
                continue;
            }
            for i in range {
                let c = counts.get(i);
                if c > 0 && r < (below + c) as f64 {
                    let (lo, hi) = bounds(i / SUB, i % SUB);
                    return at(lo, hi, below, c);
                }
                below += c;
            }
        }
        self.max
    }

    /// The `q` quantile (0 <= q <= 1) with linear interpolation between order statistics.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let h = q.clamp(0.0, 1.0) * (self.count - 1) as f64;
        let (lo, hi) = (h.floor(), h.ceil());
        let a = self.value_at_rank(lo);
        if hi == lo {
            return Some(a);
        }
        let b = self.value_at_rank(hi);
        Some(a + (b - a) * (h - lo))
    }

    /// Estimated number of values below `x` (values within a bucket taken as evenly spread).
    pub fn count_below(&self, x: f64) -> f64 {
        let mut n = 0.0;
        for (lo, hi, c) in self.buckets() {
            if hi <= x && !(lo == 0.0 && hi == 0.0 && x <= 0.0) {
                n += c as f64;
            } else if lo < x {
                n += c as f64 * (x - lo) / (hi - lo);
            } else {
                break;
            }
        }
        n
    }
}

/// The serialized form of a [`Histogram`].
#[derive(serde::Serialize, serde::Deserialize)]
struct Sparse {
    count: u64,
    zeros: u64,
    min: Option<f64>,
    max: Option<f64>,
    /// Non-empty buckets: (power-of-two page, bucket within the page, count).
    buckets: Vec<(u32, u32, u64)>,
}

impl From<Histogram> for Sparse {
    fn from(h: Histogram) -> Sparse {
        let buckets = h
            .nonempty()
            .map(|(i, n)| ((i / SUB) as u32, (i % SUB) as u32, n))
            .collect();
        Sparse {
            count: h.count,
            zeros: h.zeros,
            min: h.min(),
            max: h.max(),
            buckets,
        }
    }
}

impl TryFrom<Sparse> for Histogram {
    type Error = String;

    fn try_from(s: Sparse) -> Result<Histogram, String> {
        let mut h = Histogram::new();
        h.zeros = s.zeros;
        let mut total = s.zeros;
        let mut counts = Counts::new();
        counts.widen();
        for (p, i, n) in s.buckets {
            let (p, i) = (p as usize, i as usize);
            if p >= PAGES || i >= SUB {
                return Err(format!("histogram bucket ({p}, {i}) is out of range"));
            }
            counts.add(p * SUB + i, n);
            total += n;
        }
        if total != s.count {
            return Err(format!(
                "histogram counts add up to {total}, but its count is {}",
                s.count
            ));
        }
        if total < u64::from(u32::MAX)
            && let Data::Wide(c) = &counts.data
        {
            counts.data = Data::Narrow(c.iter().map(|&v| v as u32).collect());
        }
        h.counts = Some(counts);
        h.count = s.count;
        if s.count > 0 {
            h.min = s.min.ok_or("a non-empty histogram needs its minimum")?;
            h.max = s.max.ok_or("a non-empty histogram needs its maximum")?;
        }
        Ok(h)
    }
}

crate::vector::vectorized! {
    /// Each value's bucket code ([`ZERO`] for zeros, negatives and NaN, as `record_all` counts
    /// them); returns the number of zeros and the bits of the smallest and largest value. Values
    /// are compared by their bits, which order non-negative numbers as the numbers.
    fn codes(values: &[f64], out: &mut [u16]) -> (u64, u64, u64) {
        let (mut zeros, mut lo, mut hi) = (0, u64::MAX, 0);
        for (c, &v) in out.iter_mut().zip(values) {
            let (bits, code) = code(v);
            lo = lo.min(bits);
            hi = hi.max(bits);
            zeros += u64::from(code == ZERO);
            *c = code;
        }
        (zeros, lo, hi)
    }
}

/// A value as recorded (negatives and NaN as 0), by its bits, and its bucket's code.
#[inline(always)]
fn code(v: f64) -> (u64, u16) {
    // The bucket of a value: its exponent and top mantissa bits, from the first page; below
    // it, zero (or too small to tell from zero); beyond the top (or infinite), the last bucket.
    let first = ((1023 + MIN_EXP) as u64) << SUB_BITS;
    let bits = if v > 0.0 { v.to_bits() } else { 0 };
    let top = bits >> (52 - SUB_BITS);
    let i = top.wrapping_sub(first).min(BUCKETS as u64 - 1) as u16;
    (bits, if top < first { ZERO } else { i })
}

fn bounds(page: usize, sub: usize) -> (f64, f64) {
    // 2^(page + MIN_EXP), built from its bits (exactly what `powi` gives, far faster).
    let base = f64::from_bits(((page as i64 + i64::from(MIN_EXP) + 1023) as u64) << 52);
    let w = base / SUB as f64;
    (base + w * sub as f64, base + w * (sub + 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{RngExt, SeedableRng};

    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        let h = q * (sorted.len() - 1) as f64;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo as f64)
    }

    #[test]
    fn values_counted_later_give_the_histogram_recording_gives() {
        // Zeros, negatives, NaN, tiny values taken as zeros, values beyond the top, infinity,
        // and a spread that makes the array grow at both ends between lots.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let odd = [0.0, -0.0, -3.0, f64::NAN, 1e-12, 1e40, f64::INFINITY, 1.0];
        let lots: Vec<Vec<f64>> = (0..6)
            .map(|lot| {
                let scale = 10f64.powi(lot * 2 - 5);
                let mut v: Vec<f64> = (0..700).map(|_| scale * rng.random::<f64>()).collect();
                v.extend_from_slice(&odd[..lot as usize + 2]);
                v
            })
            .collect();
        let (mut now, mut later) = (Histogram::new(), Histogram::new());
        let mut codes = Vec::new();
        for (k, lot) in lots.iter().enumerate() {
            now.record_all(lot.iter().copied());
            later.defer_all(lot, &mut codes);
            if k % 2 == 1 {
                later.count_later(&codes);
                codes.clear();
            }
        }
        assert_eq!(now, later);
        assert_eq!(now.buckets().count(), later.buckets().count());
        assert!(now.buckets().count() > 1000);
        assert_eq!(now.quantile(0.5), later.quantile(0.5));
    }

    #[test]
    fn quantiles_are_within_one_bucket_of_exact() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for scale in [0.01, 1.0, 250.0] {
            let mut xs: Vec<f64> = (0..50_000)
                .map(|_| {
                    let u: f64 = rng.random();
                    -scale * (1.0 - u).ln()
                })
                .collect();
            let mut h = Histogram::new();
            xs.iter().for_each(|&x| h.record(x));
            xs.sort_by(f64::total_cmp);
            for q in [0.0, 0.01, 0.5, 0.7, 0.85, 0.95, 0.99, 1.0] {
                let e = exact_quantile(&xs, q);
                let got = h.quantile(q).unwrap();
                assert!(
                    (got - e).abs() <= e * 2f64.powi(-(SUB_BITS as i32)) + 1e-12,
                    "scale {scale} q {q}: {got} vs {e}"
                );
            }
            assert_eq!(h.min(), Some(xs[0]));
            assert_eq!(h.max(), Some(xs[xs.len() - 1]));
        }
    }

    #[test]
    fn the_array_grows_both_ways_and_widens_past_32_bits() {
        // Values far apart, recorded out of order: the array grows at both ends.
        let values = [3.0, 1e-6, 5e6, 0.5, 7e-9, 3.0, 2e9];
        let mut one_by_one = Histogram::new();
        values.iter().for_each(|&v| one_by_one.record(v));
        let mut all = Histogram::new();
        all.record_all(values.iter().copied());
        assert_eq!(one_by_one, all);
        assert_eq!(all.count(), 7);
        assert_eq!((all.min(), all.max()), (Some(7e-9), Some(2e9)));
        let within = |got: f64, want: f64| (got - want).abs() <= want * 2f64.powi(-9);
        for (q, want) in [(0.0, 7e-9), (0.5, 3.0), (1.0, 2e9)] {
            assert!(within(all.quantile(q).unwrap(), want), "{q}");
        }
        // Merging histograms of other ranges adds their counts.
        let mut merged = Histogram::new();
        let (mut low, mut high) = (Histogram::new(), Histogram::new());
        low.record_all([1e-6, 7e-9, 0.5].into_iter());
        high.record_all([3.0, 5e6, 3.0, 2e9].into_iter());
        merged.merge(&high);
        merged.merge(&low);
        assert_eq!(merged, all);
        // A histogram about to pass 2^32 values turns its counts 64-bit and keeps them exact.
        let mut big = all.clone();
        big.count = u64::from(u32::MAX) - 2;
        big.record_all([3.0, 3.0, 3.0, 3.0].into_iter());
        assert!(matches!(big.counts.as_ref().unwrap().data, Data::Wide(_)));
        let threes = big
            .buckets()
            .find(|&(lo, hi, _)| lo <= 3.0 && 3.0 < hi)
            .unwrap()
            .2;
        assert_eq!(threes, 6);
        let mut sum = big.clone();
        sum.merge(&all);
        assert_eq!(sum.buckets().map(|b| b.2).sum::<u64>(), 11 + 7);
    }

    #[test]
    fn zeros_are_exact() {
        let mut h = Histogram::new();
        for _ in 0..60 {
            h.record(0.0);
        }
        for i in 0..40 {
            h.record(1.0 + f64::from(i));
        }
        assert_eq!(h.quantile(0.5), Some(0.0));
        assert!(h.quantile(0.9).unwrap() > 1.0);
        assert_eq!(h.count_below(0.5), 60.0);
    }

    #[test]
    fn merging_equals_recording_everything_in_one() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let xs: Vec<f64> = (0..10_000).map(|_| rng.random::<f64>() * 30.0).collect();
        let mut all = Histogram::new();
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        for (i, &x) in xs.iter().enumerate() {
            all.record(x);
            if i % 3 == 0 { a.record(x) } else { b.record(x) }
        }
        b.merge(&a);
        assert_eq!(all, b);
    }

    #[test]
    fn survives_a_json_round_trip() {
        let mut h = Histogram::new();
        for x in [0.0, 0.5, 3.25, 3.25, 1e6, 17.0] {
            h.record(x);
        }
        let text = serde_json::to_string(&h).unwrap();
        let back: Histogram = serde_json::from_str(&text).unwrap();
        assert_eq!(back, h);
        assert!(
            serde_json::from_str::<Histogram>(
                r#"{"count":5,"zeros":0,"min":1,"max":2,"buckets":[[40,3,2]]}"#
            )
            .is_err()
        );
    }

    #[test]
    fn count_below_interpolates() {
        let mut h = Histogram::new();
        for i in 0..1000 {
            h.record(f64::from(i) + 0.5);
        }
        let c = h.count_below(250.0);
        assert!((c - 250.0).abs() <= 1.0, "{c}");
    }
}
