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

/// The counts of one power of two's buckets: 32-bit while they fit, which halves the memory a
/// replication's values are recorded into (and so the cache misses, the main cost of recording);
/// a page whose count would pass 2^32 - 1 turns 64-bit, so counts are exact whatever the run.
#[derive(Debug, Clone)]
enum Page {
    Narrow(Box<[u32]>),
    Wide(Box<[u64]>),
}

impl Page {
    fn new() -> Page {
        Page::Narrow(vec![0; SUB].into_boxed_slice())
    }

    #[inline(always)]
    fn increment(&mut self, sub: usize) {
        match self {
            Page::Narrow(c) if c[sub] < u32::MAX => c[sub] += 1,
            _ => self.add(sub, 1),
        }
    }

    /// Adds `n` to bucket `sub`, turning the page 64-bit if it must.
    fn add(&mut self, sub: usize, n: u64) {
        if let Page::Narrow(c) = self {
            match u32::try_from(u64::from(c[sub]) + n) {
                Ok(v) => {
                    c[sub] = v;
                    return;
                }
                Err(_) => *self = Page::Wide(c.iter().map(|&v| u64::from(v)).collect()),
            }
        }
        if let Page::Wide(c) = self {
            c[sub] += n;
        }
    }

    /// The page's count of values.
    fn total(&self) -> u64 {
        match self {
            Page::Narrow(c) => c.iter().map(|&v| u64::from(v)).sum(),
            Page::Wide(c) => c.iter().sum(),
        }
    }

    fn get(&self, sub: usize) -> u64 {
        match self {
            Page::Narrow(c) => u64::from(c[sub]),
            Page::Wide(c) => c[sub],
        }
    }

    /// (bucket, count) of the non-empty buckets, in order.
    fn counts(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        (0..SUB)
            .map(move |s| (s, self.get(s)))
            .filter(|&(_, c)| c > 0)
    }
}

impl PartialEq for Page {
    fn eq(&self, other: &Page) -> bool {
        (0..SUB).all(|s| self.get(s) == other.get(s))
    }
}

/// Counts of values by log-linear bucket, plus exact count, zeros, minimum and maximum.
/// Serialized sparsely: only non-empty buckets, as `[page, bucket, count]`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(into = "Sparse", try_from = "Sparse")]
pub struct Histogram {
    pages: Vec<Option<Page>>,
    zeros: u64,
    count: u64,
    min: f64,
    max: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram {
            pages: vec![None; PAGES],
            zeros: 0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Records one value. Negative values and NaN are recorded as 0 (durations are never negative;
    /// a tiny negative can only come from rounding).
    #[inline(always)]
    pub fn record(&mut self, v: f64) {
        let v = if v > 0.0 { v } else { 0.0 };
        self.count += 1;
        if v < self.min {
            self.min = v;
        }
        if v > self.max {
            self.max = v;
        }
        let bits = v.to_bits();
        // v >= 0, so the sign bit is clear and these are the exponent bits.
        let page = (bits >> 52) as i64 - 1023 - i64::from(MIN_EXP);
        if (0..PAGES as i64).contains(&page) {
            let sub = (bits >> (52 - SUB_BITS)) as usize & (SUB - 1);
            self.pages[page as usize]
                .get_or_insert_with(Page::new)
                .increment(sub);
        } else if page < 0 {
            // Zero, or too small to tell from zero.
            self.zeros += 1;
        } else {
            // Beyond the top (or infinite): the last bucket.
            self.pages[PAGES - 1]
                .get_or_insert_with(Page::new)
                .increment(SUB - 1);
        }
    }

    /// Adds another histogram's counts to this one.
    pub fn merge(&mut self, other: &Histogram) {
        self.zeros += other.zeros;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        for (mine, theirs) in self.pages.iter_mut().zip(&other.pages) {
            if let Some(t) = theirs {
                let m = mine.get_or_insert_with(Page::new);
                match (&mut *m, t) {
                    (Page::Narrow(a), Page::Narrow(b))
                        if a.iter()
                            .zip(b.iter())
                            .all(|(x, y)| x.checked_add(*y).is_some()) =>
                    {
                        a.iter_mut().zip(b.iter()).for_each(|(x, y)| *x += y);
                    }
                    _ => t.counts().for_each(|(s, n)| m.add(s, n)),
                }
            }
        }
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
        zeros.into_iter().chain(
            self.pages
                .iter()
                .enumerate()
                .filter_map(|(p, page)| page.as_ref().map(|c| (p, c)))
                .flat_map(|(p, page)| {
                    page.counts().map(move |(s, c)| {
                        let (lo, hi) = bounds(p, s);
                        (lo, hi, c)
                    })
                }),
        )
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
        for (p, page) in self.pages.iter().enumerate() {
            let Some(page) = page else { continue };
            // Whole pages below the rank are skipped by their totals.
            let total = page.total();
            if r >= (below + total) as f64 {
                below += total;
                continue;
            }
            for (s, c) in page.counts() {
                if r < (below + c) as f64 {
                    let (lo, hi) = bounds(p, s);
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
        let mut buckets = Vec::new();
        for (p, page) in h.pages.iter().enumerate() {
            if let Some(page) = page {
                buckets.extend(page.counts().map(|(i, n)| (p as u32, i as u32, n)));
            }
        }
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
        for (p, i, n) in s.buckets {
            let (p, i) = (p as usize, i as usize);
            if p >= PAGES || i >= SUB {
                return Err(format!("histogram bucket ({p}, {i}) is out of range"));
            }
            h.pages[p].get_or_insert_with(Page::new).add(i, n);
            total += n;
        }
        if total != s.count {
            return Err(format!(
                "histogram counts add up to {total}, but its count is {}",
                s.count
            ));
        }
        h.count = s.count;
        if s.count > 0 {
            h.min = s.min.ok_or("a non-empty histogram needs its minimum")?;
            h.max = s.max.ok_or("a non-empty histogram needs its maximum")?;
        }
        Ok(h)
    }
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
