//! Online estimators across replications, with their Monte Carlo standard errors.
//!
//! Replications are independent, so the standard error of a mean comes from the spread between
//! replications, never from the items within one (which are correlated). Both estimators are
//! updated in replication order, so results do not depend on how the work was split over threads.

/// Mean, standard deviation and standard error of one number per replication (Welford's method).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    /// Sample standard deviation (n - 1 in the denominator).
    pub fn sd(&self) -> Option<f64> {
        (self.n > 1).then(|| (self.m2 / (self.n - 1) as f64).sqrt())
    }

    /// Standard error of the mean.
    pub fn se(&self) -> Option<f64> {
        self.sd().map(|s| s / (self.n as f64).sqrt())
    }
}

/// A ratio of totals over replications, sum(y) / sum(x), such as total lead time over items
/// measured, or busy time over available time. Its standard error is the delta-method (ratio
/// estimator) standard error from the replication totals:
/// var = sum((y_r - R x_r)^2) / (n (n - 1) mean(x)^2).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ratio {
    n: u64,
    mean_y: f64,
    mean_x: f64,
    c_yy: f64,
    c_xx: f64,
    c_xy: f64,
}

impl Ratio {
    /// Adds one replication's totals.
    pub fn add(&mut self, y: f64, x: f64) {
        self.n += 1;
        let n = self.n as f64;
        let dy = y - self.mean_y;
        let dx = x - self.mean_x;
        self.mean_y += dy / n;
        self.mean_x += dx / n;
        self.c_yy += dy * (y - self.mean_y);
        self.c_xx += dx * (x - self.mean_x);
        self.c_xy += dy * (x - self.mean_x);
    }

    /// sum(y) / sum(x), or `None` when nothing was measured.
    pub fn estimate(&self) -> Option<f64> {
        (self.n > 0 && self.mean_x != 0.0).then(|| self.mean_y / self.mean_x)
    }

    pub fn se(&self) -> Option<f64> {
        let r = self.estimate()?;
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        let v = (self.c_yy - 2.0 * r * self.c_xy + r * r * self.c_xx).max(0.0)
            / ((n - 1.0) * n * self.mean_x * self.mean_x);
        Some(v.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_two_pass_formulas() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut w = Welford::default();
        xs.iter().for_each(|&x| w.add(x));
        assert_eq!(w.mean(), Some(5.0));
        let sd = (32.0f64 / 7.0).sqrt();
        assert!((w.sd().unwrap() - sd).abs() < 1e-12);
        assert!((w.se().unwrap() - sd / 8f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn ratio_with_equal_denominators_is_the_mean_of_means() {
        // With x_r constant the ratio SE reduces to the SE of the per-replication means.
        let ys = [10.0, 12.0, 9.0, 15.0];
        let mut r = Ratio::default();
        let mut w = Welford::default();
        for &y in &ys {
            r.add(y, 2.0);
            w.add(y / 2.0);
        }
        assert!((r.estimate().unwrap() - w.mean().unwrap()).abs() < 1e-12);
        assert!((r.se().unwrap() - w.se().unwrap()).abs() < 1e-12);
    }

    #[test]
    fn ratio_is_the_ratio_of_totals() {
        let mut r = Ratio::default();
        r.add(3.0, 1.0);
        r.add(10.0, 4.0);
        assert!((r.estimate().unwrap() - 13.0 / 5.0).abs() < 1e-12);
        assert!(Ratio::default().estimate().is_none());
    }
}
