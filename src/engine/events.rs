//! The event list: pending events ordered by time, then by the order they were scheduled, so that
//! events at the same time are handled first-in first-out and every run repeats exactly.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens when an event fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The next item arrives from outside the stream.
    Arrival,
    /// The item's time at its current stage is over (work, delay or release done).
    Finish,
    /// The item's work is interrupted by a blocker.
    BlockerHit,
    /// The item's blocker is cleared.
    BlockerClear,
    /// A cadence stage releases the item.
    Release,
}

#[derive(Debug, Clone, Copy)]
pub struct Event {
    /// Time bits (times are finite and non-negative, so their bits order like the times) above a
    /// sequence number: one integer comparison orders events.
    key: u128,
    pub item: u32,
    pub kind: Kind,
}

impl Event {
    #[inline]
    pub fn time(&self) -> f64 {
        f64::from_bits((self.key >> 64) as u64)
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest event first.
        other.key.cmp(&self.key)
    }
}

/// A min-heap of events keyed on (time, sequence).
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Event>,
    seq: u64,
}

impl EventQueue {
    pub fn clear(&mut self) {
        self.heap.clear();
        self.seq = 0;
    }

    /// Schedules an event. `time` must be finite and non-negative.
    #[inline]
    pub fn push(&mut self, time: f64, item: u32, kind: Kind) {
        debug_assert!(time >= 0.0 && time.is_finite(), "bad event time {time}");
        // +0.0 and -0.0 both become +0.0 so that the bit order holds.
        let bits = (time + 0.0).to_bits();
        self.heap.push(Event {
            key: (u128::from(bits) << 64) | u128::from(self.seq),
            item,
            kind,
        });
        self.seq += 1;
    }

    #[inline]
    pub fn pop(&mut self) -> Option<Event> {
        self.heap.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_out_by_time_then_insertion_order() {
        let mut q = EventQueue::default();
        q.push(2.0, 1, Kind::Finish);
        q.push(1.0, 2, Kind::Finish);
        q.push(2.0, 3, Kind::Finish);
        q.push(0.0, 4, Kind::Arrival);
        q.push(1.0, 5, Kind::Release);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop().map(|e| e.item)).collect();
        assert_eq!(order, vec![4, 2, 5, 1, 3]);
    }

    #[test]
    fn times_survive_the_round_trip() {
        let mut q = EventQueue::default();
        q.push(123.456, 0, Kind::Finish);
        assert_eq!(q.pop().unwrap().time(), 123.456);
    }
}
