//! The partial-result format: `partial.json` (what a shard ran, as [`Partial`]), and `totals.bin`
//! (every replication's totals, exact to the bit). docs/cluster.md documents both, byte by byte.

use crate::engine::{RunStats, StageRunStats};
use crate::metrics::RepTotals;
use crate::metrics::collect::{StageTotals, TypeTotals};
use serde::{Deserialize, Serialize};
use std::io::{self, Read, Write};

/// The `format` field of every `partial.json`.
pub const FORMAT: &str = "flowsim partial result";
/// The version of the partial-result format (partial.json, histograms.json, totals.bin) this
/// flowsim writes and reads. Raised whenever any of them changes.
pub const FORMAT_VERSION: u32 = 1;

/// File names in a partial result's directory.
pub const PARTIAL_JSON: &str = "partial.json";
pub const HISTOGRAMS_JSON: &str = "histograms.json";
pub const TOTALS_BIN: &str = "totals.bin";
pub const SCENARIO_TOML: &str = "scenario.toml";

/// The first 8 bytes of `totals.bin`.
const MAGIC: &[u8; 8] = b"FLOWSIMT";
/// Bytes before the first record: the magic, then the format version, stages, work types and
/// words per record (each a little-endian u32).
const HEADER_BYTES: u64 = 24;

/// What a shard ran: the content of `partial.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the flowsim that wrote it.
    pub format_version: u32,
    /// The flowsim that ran the shard; a merge needs the same one.
    pub flowsim_version: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file as given to `flowsim run` (names the merged results' default directory).
    pub scenario_file: String,
    /// FNV-1a (64-bit) of the scenario text as run (`scenario.toml`), 16 hex digits.
    pub scenario_fnv1a64: String,
    pub seed: u64,
    /// Replications of the whole run (all shards).
    pub runs: u32,
    /// This shard's number, counted from 1, and the number of shards.
    pub shard: u32,
    pub shards: u32,
    /// The replications this shard ran: `replications` of them from `first_replication`
    /// (replications are numbered from 0, as the random streams are keyed).
    pub first_replication: u64,
    pub replications: u64,
    /// Stages and work types of the scenario (the shape of a record in `totals.bin`).
    pub stages: u32,
    pub work_types: u32,
    /// Size and FNV-1a (64-bit, 16 hex digits) of `totals.bin`.
    pub totals_bytes: u64,
    pub totals_fnv1a64: String,
}

/// FNV-1a, 64 bits: a fixed, portable hash to tell files apart (not a defence against tampering).
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The hash as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }

    /// The hash of `bytes` as 16 hex digits.
    pub fn of(bytes: &[u8]) -> String {
        let mut h = Fnv::default();
        h.update(bytes);
        h.hex()
    }
}

/// Words (8 bytes each) in one replication's record.
pub fn record_words(stages: usize, types: usize) -> usize {
    21 + 11 * stages + 3 * types
}

/// Reads or writes one word of a record.
trait Codec {
    fn int(&mut self, v: &mut u64);
    fn float(&mut self, v: &mut f64);
}

/// The one definition of a record's layout, in both directions: every field of the totals, in
/// order. Fields are named exhaustively, so a field added to the totals fails to compile here
/// until the format (and [`FORMAT_VERSION`]) takes it in.
fn visit(t: &mut RepTotals, c: &mut impl Codec) {
    let RepTotals {
        items,
        lead,
        lead_sq,
        cycle,
        cycle_sq,
        backlog_wait,
        work,
        efficiency,
        lead_min,
        lead_max,
        makespan,
        stages,
        types,
        run,
    } = t;
    c.int(items);
    for v in [
        lead,
        lead_sq,
        cycle,
        cycle_sq,
        backlog_wait,
        work,
        efficiency,
        lead_min,
        lead_max,
    ] {
        c.float(v);
    }
    let mut present = u64::from(makespan.is_some());
    let mut value = makespan.unwrap_or(0.0);
    c.int(&mut present);
    c.float(&mut value);
    *makespan = (present != 0).then_some(value);
    for st in stages {
        let StageTotals {
            wait,
            queue,
            blocked,
            blocker,
            cadence,
            delay,
            work,
            visits,
        } = st;
        for v in [wait, queue, blocked, blocker, cadence, delay, work] {
            c.float(v);
        }
        c.int(visits);
    }
    for ty in types {
        let TypeTotals { items, lead, wait } = ty;
        c.int(items);
        c.float(lead);
        c.float(wait);
    }
    let RunStats {
        window_start,
        end,
        stages,
        in_system_area,
        in_progress_area,
        backlog_area,
        finished_in_window,
        arrived,
        unfinished,
        events,
    } = run;
    for v in [
        window_start,
        end,
        in_system_area,
        in_progress_area,
        backlog_area,
    ] {
        c.float(v);
    }
    for v in [finished_in_window, arrived, unfinished, events] {
        c.int(v);
    }
    for st in stages {
        let StageRunStats {
            queue_area,
            in_stage_area,
            busy_area,
        } = st;
        for v in [queue_area, in_stage_area, busy_area] {
            c.float(v);
        }
    }
}

/// Appends words to a record (little-endian; floats as their bits, so they read back exactly).
struct Put<'a>(&'a mut Vec<u8>);

impl Codec for Put<'_> {
    fn int(&mut self, v: &mut u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn float(&mut self, v: &mut f64) {
        self.0.extend_from_slice(&v.to_bits().to_le_bytes());
    }
}

/// Takes words from a record, in order.
struct Take<'a>(std::slice::ChunksExact<'a, u8>);

impl Take<'_> {
    fn word(&mut self) -> u64 {
        let bytes = self
            .0
            .next()
            .expect("a record holds every word of its layout");
        u64::from_le_bytes(bytes.try_into().expect("words are 8 bytes"))
    }
}

impl Codec for Take<'_> {
    fn int(&mut self, v: &mut u64) {
        *v = self.word();
    }
    fn float(&mut self, v: &mut f64) {
        *v = f64::from_bits(self.word());
    }
}

/// Totals of one replication with room for `stages` stages and `types` work types.
fn blank(stages: usize, types: usize) -> RepTotals {
    let mut t = RepTotals {
        stages: vec![StageTotals::default(); stages],
        types: vec![TypeTotals::default(); types],
        ..RepTotals::default()
    };
    t.run.stages = vec![StageRunStats::default(); stages];
    t
}

/// Writes `totals.bin`: the header, then one record per replication, in replication order.
pub struct TotalsWriter<W: Write> {
    out: W,
    hash: Fnv,
    bytes: u64,
    record: Vec<u8>,
    /// Bytes in a record of the header's shape.
    record_bytes: usize,
}

impl<W: Write> TotalsWriter<W> {
    pub fn new(mut out: W, stages: usize, types: usize) -> io::Result<TotalsWriter<W>> {
        let mut header = MAGIC.to_vec();
        for n in [
            FORMAT_VERSION as usize,
            stages,
            types,
            record_words(stages, types),
        ] {
            header.extend_from_slice(&(n as u32).to_le_bytes());
        }
        out.write_all(&header)?;
        let mut hash = Fnv::default();
        hash.update(&header);
        Ok(TotalsWriter {
            out,
            hash,
            bytes: HEADER_BYTES,
            record: Vec::new(),
            record_bytes: 8 * record_words(stages, types),
        })
    }

    /// Appends the next replication's totals.
    pub fn write(&mut self, mut t: RepTotals) -> io::Result<()> {
        self.record.clear();
        visit(&mut t, &mut Put(&mut self.record));
        if self.record.len() != self.record_bytes {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a replication's totals take {} bytes, not the {} of the header's shape",
                    self.record.len(),
                    self.record_bytes
                ),
            ));
        }
        self.out.write_all(&self.record)?;
        self.hash.update(&self.record);
        self.bytes += self.record.len() as u64;
        Ok(())
    }

    /// The output back, with the size and hash of what was written.
    pub fn finish(self) -> (W, u64, String) {
        (self.out, self.bytes, self.hash.hex())
    }
}

/// Reads `totals.bin` record by record (one replication's totals in memory at a time).
pub struct TotalsReader<R: Read> {
    input: R,
    hash: Fnv,
    bytes: u64,
    record: Vec<u8>,
    totals: RepTotals,
}

impl<R: Read> TotalsReader<R> {
    /// Checks the header against the scenario's shape. The error says what is wrong.
    pub fn new(mut input: R, stages: usize, types: usize) -> Result<TotalsReader<R>, String> {
        let mut header = [0u8; HEADER_BYTES as usize];
        input
            .read_exact(&mut header)
            .map_err(|e| format!("cannot read its header ({e})"))?;
        if &header[..8] != MAGIC {
            return Err("it does not start as a flowsim totals file does".into());
        }
        let field = |i: usize| {
            u32::from_le_bytes(header[8 + 4 * i..12 + 4 * i].try_into().expect("4 bytes")) as usize
        };
        let expected = [
            FORMAT_VERSION as usize,
            stages,
            types,
            record_words(stages, types),
        ];
        let names = ["format version", "stages", "work types", "words per record"];
        for (i, (want, name)) in expected.iter().zip(names).enumerate() {
            if field(i) != *want {
                return Err(format!(
                    "its header gives {} {name}, where {want} were expected",
                    field(i)
                ));
            }
        }
        let mut hash = Fnv::default();
        hash.update(&header);
        Ok(TotalsReader {
            input,
            hash,
            bytes: HEADER_BYTES,
            record: vec![0; 8 * record_words(stages, types)],
            totals: blank(stages, types),
        })
    }

    /// The next replication's totals.
    pub fn next_totals(&mut self) -> Result<&RepTotals, String> {
        self.input.read_exact(&mut self.record).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                "it ends before its last replication".to_string()
            } else {
                format!("cannot read it ({e})")
            }
        })?;
        self.hash.update(&self.record);
        self.bytes += self.record.len() as u64;
        visit(&mut self.totals, &mut Take(self.record.chunks_exact(8)));
        Ok(&self.totals)
    }

    /// Checks that nothing follows the last record; returns the size and hash of the file.
    pub fn finish(mut self) -> Result<(u64, String), String> {
        let mut more = [0u8; 1];
        match self.input.read(&mut more) {
            Ok(0) => Ok((self.bytes, self.hash.hex())),
            Ok(_) => Err("it goes on after its last replication".into()),
            Err(e) => Err(format!("cannot read it ({e})")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(stages: usize, types: usize, k: f64) -> RepTotals {
        let mut t = blank(stages, types);
        t.items = 17;
        t.lead = 0.1 + k;
        t.lead_sq = 1.0 / 3.0;
        t.lead_min = f64::INFINITY;
        t.lead_max = f64::NEG_INFINITY;
        t.makespan = (k > 1.0).then_some(123.456 + k);
        for (i, st) in t.stages.iter_mut().enumerate() {
            st.wait = i as f64 * 0.7;
            st.delay = f64::MIN_POSITIVE;
            st.visits = 3 + i as u64;
        }
        for ty in &mut t.types {
            ty.items = 5;
            ty.lead = std::f64::consts::PI;
        }
        t.run.end = 99.5 + k;
        t.run.events = u64::MAX;
        for r in &mut t.run.stages {
            r.busy_area = -0.0;
            r.queue_area = 1e-300;
        }
        t
    }

    #[test]
    fn records_read_back_to_the_bit() {
        let (stages, types) = (3, 2);
        let originals = [sample(stages, types, 0.5), sample(stages, types, 2.0)];
        let mut w = TotalsWriter::new(Vec::new(), stages, types).unwrap();
        for t in &originals {
            w.write(t.clone()).unwrap();
        }
        let (bytes, size, hash) = w.finish();
        assert_eq!(size, bytes.len() as u64);
        assert_eq!(
            bytes.len(),
            HEADER_BYTES as usize + 2 * 8 * record_words(stages, types)
        );
        let mut r = TotalsReader::new(bytes.as_slice(), stages, types).unwrap();
        for t in &originals {
            let back = r.next_totals().unwrap();
            assert_eq!(back, t);
            assert_eq!(back.run.stages[0].busy_area.to_bits(), (-0.0f64).to_bits());
        }
        assert_eq!(r.finish().unwrap(), (size, hash));
    }

    #[test]
    fn a_wrong_shape_or_a_short_file_is_an_error() {
        let mut w = TotalsWriter::new(Vec::new(), 2, 1).unwrap();
        w.write(sample(2, 1, 0.0)).unwrap();
        let (bytes, _, _) = w.finish();
        let mut w = TotalsWriter::new(Vec::new(), 3, 1).unwrap();
        assert!(
            w.write(sample(2, 1, 0.0)).is_err(),
            "totals of another shape"
        );
        let err = TotalsReader::new(bytes.as_slice(), 3, 1).err().unwrap();
        assert!(err.contains("2 stages, where 3"), "{err}");
        assert!(TotalsReader::new(&b"not totals at all, no"[..], 2, 1).is_err());
        let mut r = TotalsReader::new(&bytes[..bytes.len() - 1], 2, 1).unwrap();
        assert!(r.next_totals().unwrap_err().contains("ends before"));
        let mut longer = bytes.clone();
        longer.push(0);
        let mut r = TotalsReader::new(longer.as_slice(), 2, 1).unwrap();
        r.next_totals().unwrap();
        assert!(r.finish().unwrap_err().contains("goes on"));
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(Fnv::of(b""), "cbf29ce484222325");
        assert_eq!(Fnv::of(b"a"), "af63dc4c8601ec8c");
        assert_eq!(Fnv::of(b"foobar"), "85944171f73967e8");
    }
}
