//! Time-weighted counts: how many items are somewhere, integrated over time, so that a mean queue
//! length or utilization is an exact time average rather than a sample.

/// A count that changes at event times, with its integral since the last reset.
#[derive(Debug, Clone, Copy, Default)]
pub struct Level {
    pub count: u32,
    last: f64,
    pub area: f64,
}

impl Level {
    /// Changes the count at time `now` (not before the last change).
    #[inline]
    pub fn add(&mut self, now: f64, delta: i32) {
        self.area += f64::from(self.count) * (now - self.last);
        self.last = now;
        self.count = self.count.wrapping_add_signed(delta);
    }

    /// Starts integrating afresh at `now`, keeping the count.
    pub fn reset(&mut self, now: f64) {
        self.area = 0.0;
        self.last = now;
    }

    /// Brings the integral up to `now`.
    pub fn close(&mut self, now: f64) {
        self.add(now, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_a_step_function() {
        let mut l = Level::default();
        l.add(1.0, 2); // 0 on [0,1)
        l.add(3.0, -1); // 2 on [1,3)
        l.reset(4.0); // 1 on [3,4) is forgotten
        l.add(6.0, 1); // 1 on [4,6)
        l.close(7.0); // 2 on [6,7)
        assert_eq!(l.area, 4.0);
        assert_eq!(l.count, 2);
    }
}
