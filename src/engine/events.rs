//! The event list: pending events ordered by time, then by the order they were scheduled, so that
//! events at the same time are handled first-in first-out and every run repeats exactly.

/// What happens when an event fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
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
    /// Work is discovered: a new item appears.
    Discovery,
}

/// Bits of an event's tie-breaker word: sequence number, kind, item slot.
const SLOT_BITS: u32 = 28;
const KIND_BITS: u32 = 3;
/// Item slots must be below this (about 268 million items in the stream at once).
pub const MAX_SLOTS: u64 = 1 << SLOT_BITS;
/// Events one replication may schedule (about 8.6 billion).
pub const MAX_EVENTS: u64 = 1 << (64 - SLOT_BITS - KIND_BITS);

/// A pending event in 16 bytes: the time's bits (times are finite and non-negative, so their bits
/// order like the times) and a word holding the sequence number above the kind and the item slot,
/// so that comparing (time, word) orders events by time, then by scheduling order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Event {
    time: u64,
    word: u64,
}

impl Event {
    #[inline]
    pub fn time(&self) -> f64 {
        f64::from_bits(self.time)
    }

    #[inline]
    pub fn item(&self) -> u32 {
        (self.word & (MAX_SLOTS - 1)) as u32
    }

    /// The event's place in the order as one number: time, then scheduling order.
    #[inline(always)]
    fn key(&self) -> u128 {
        (u128::from(self.time) << 64) | u128::from(self.word)
    }

    #[inline]
    pub fn kind(&self) -> Kind {
        match (self.word >> SLOT_BITS) & ((1 << KIND_BITS) - 1) {
            0 => Kind::Arrival,
            1 => Kind::Finish,
            2 => Kind::BlockerHit,
            3 => Kind::BlockerClear,
            4 => Kind::Release,
            _ => Kind::Discovery,
        }
    }
}

/// A binary min-heap of events. Written out rather than using `std::collections::BinaryHeap`
/// because that one writes a pushed element and reads it straight back, which stalls the CPU's
/// store forwarding on every push; here the new element stays in registers while it sifts.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: Vec<Event>,
    seq: u64,
}

impl EventQueue {
    pub fn clear(&mut self) {
        self.heap.clear();
        self.seq = 0;
    }

    /// Events scheduled since the last `clear`.
    pub fn scheduled(&self) -> u64 {
        self.seq
    }

    /// Schedules an event. `time` must be finite and non-negative, `item` below [`MAX_SLOTS`], and
    /// fewer than [`MAX_EVENTS`] events scheduled (the engine checks both).
    #[inline]
    pub fn push(&mut self, time: f64, item: u32, kind: Kind) {
        debug_assert!(time >= 0.0 && time.is_finite(), "bad event time {time}");
        debug_assert!(u64::from(item) < MAX_SLOTS && self.seq < MAX_EVENTS);
        let e = Event {
            // +0.0 and -0.0 both become +0.0 so that the bit order holds.
            time: (time + 0.0).to_bits(),
            word: (self.seq << (SLOT_BITS + KIND_BITS))
                | ((kind as u64) << SLOT_BITS)
                | u64::from(item),
        };
        self.seq += 1;
        let mut pos = self.heap.len();
        self.heap.push(e);
        while pos > 0 {
            let parent = (pos - 1) / 2;
            let p = self.heap[parent];
            if p <= e {
                break;
            }
            self.heap[pos] = p;
            pos = parent;
        }
        self.heap[pos] = e;
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<Event> {
        let last = self.heap.pop()?;
        let n = self.heap.len();
        if n == 0 {
            return Some(last);
        }
        let top = self.heap[0];
        // Sift `last` down from the root.
        let mut pos = 0;
        loop {
            let left = 2 * pos + 1;
            if left >= n {
                break;
            }
            // The earlier child, chosen without a branch (which one it is cannot be
            // predicted); with no right child, `right` falls back on the left one.
            let right = (left + 1).min(n - 1);
            let child = left + usize::from(self.heap[right].key() < self.heap[left].key());
            let c = self.heap[child];
            if last.key() <= c.key() {
                break;
            }
            self.heap[pos] = c;
            pos = child;
        }
        self.heap[pos] = last;
        Some(top)
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
        let order: Vec<(u32, Kind)> =
            std::iter::from_fn(|| q.pop().map(|e| (e.item(), e.kind()))).collect();
        assert_eq!(
            order,
            vec![
                (4, Kind::Arrival),
                (2, Kind::Finish),
                (5, Kind::Release),
                (1, Kind::Finish),
                (3, Kind::Finish)
            ]
        );
    }

    #[test]
    fn many_events_come_out_sorted() {
        // A pseudo-random sequence of pushes and pops against a sorted reference list.
        let mut q = EventQueue::default();
        let mut reference: Vec<(u64, u64)> = Vec::new();
        let mut x: u64 = 12345;
        for i in 0..5000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let t = ((x >> 40) % 100) as f64;
            q.push(t, (i % 1000) as u32, Kind::Finish);
            reference.push((t.to_bits(), i));
            if x % 3 == 0 {
                reference.sort();
                let (rt, ri) = reference.remove(0);
                let e = q.pop().unwrap();
                assert_eq!((e.time().to_bits(), u64::from(e.item())), (rt, ri % 1000));
            }
        }
        reference.sort();
        for (rt, ri) in reference {
            let e = q.pop().unwrap();
            assert_eq!((e.time().to_bits(), u64::from(e.item())), (rt, ri % 1000));
        }
        assert!(q.pop().is_none());
    }

    #[test]
    fn times_survive_the_round_trip() {
        let mut q = EventQueue::default();
        q.push(123.456, 0, Kind::Finish);
        assert_eq!(q.pop().unwrap().time(), 123.456);
    }
}
