//! A CSV file read the way a spreadsheet shows it, for the commands that read tracker exports
//! (`forecast --history`, `map`, `calibrate`, `backtest`): rows numbered as a spreadsheet numbers
//! them (the header is row 1, a cell holding line breaks does not shift the rows below), columns
//! found by name ignoring case, spaces and hyphens, with "did you mean", and date or date-time
//! cells read as ISO or with a strptime-style format, with errors that say which formats would
//! have read them.

use jiff::civil::{Date, DateTime, Time};
use jiff::fmt::strtime::BrokenDownTime;
use std::path::Path;

/// Date formats suggested when a cell is not an ISO date (only those that read the cell are
/// suggested).
const COMMON_FORMATS: [(&str, &str); 12] = [
    ("%d/%m/%Y", "day first"),
    ("%m/%d/%Y", "month first"),
    ("%d.%m.%Y", ""),
    ("%d-%m-%Y", "day first"),
    ("%m-%d-%Y", "month first"),
    ("%Y/%m/%d", ""),
    ("%d/%m/%y", "day first"),
    ("%m/%d/%y", "month first"),
    ("%d/%b/%y %I:%M %p", "Jira"),
    ("%d/%b/%y", ""),
    ("%d %b %Y", ""),
    ("%b %d, %Y", ""),
];

/// A CSV file with a header row, every row in memory.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The file's name, for messages.
    pub file: String,
    /// Column names, trimmed (and without a byte-order mark).
    pub headers: Vec<String>,
    /// The rows below the header, blank rows left out.
    pub rows: Vec<Row>,
}

/// One row and where it is.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row as a spreadsheet numbers it (the header is 1).
    pub row: u64,
    /// The line of the text file it starts on (differs from `row` when cells above hold line
    /// breaks).
    pub line: u64,
    /// The cells, trimmed; missing cells at the end of a short row are empty.
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in column `i` (empty when the row is short).
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", String::as_str)
    }
}

impl Sheet {
    /// Reads a CSV file: comma, semicolon or tab separated (whichever the header uses most),
    /// quoted cells with line breaks, a byte-order mark, blank lines. The error is the whole
    /// message.
    pub fn read(path: &Path) -> Result<Sheet, String> {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Sheet::parse(&bytes, file)
    }

    /// Reads CSV text (see [`Sheet::read`]); `file` names it in messages.
    pub fn parse(bytes: &[u8], file: String) -> Result<Sheet, String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(sniff_delimiter(bytes))
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        // Where the text has been counted to, and the line there.
        let mut counted = 0usize;
        let mut line = 1u64;
        // Line breaks inside cells so far (a spreadsheet shows such a row as one).
        let mut inner_breaks = 0u64;
        let mut headers: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(format!("cannot read {file}: {e}")),
            }
            let mut start = record.position().map_or(counted, |p| p.byte() as usize);
            while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                start += 1;
            }
            let start = start.max(counted);
            line += bytes[counted..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            counted = start;
            let row = line - inner_breaks;
            inner_breaks += record
                .iter()
                .map(|f| f.iter().filter(|b| **b == b'\n').count() as u64)
                .sum::<u64>();
            let cells: Vec<String> = record
                .iter()
                .map(|c| {
                    String::from_utf8_lossy(c)
                        .trim_start_matches('\u{feff}')
                        .trim()
                        .to_string()
                })
                .collect();
            if headers.is_none() {
                headers = Some(cells);
            } else if cells.iter().any(|c| !c.is_empty()) {
                rows.push(Row { row, line, cells });
            }
        }
        let headers = headers
            .ok_or_else(|| format!("{file} is empty: it has no header row naming the columns"))?;
        Ok(Sheet {
            file,
            headers,
            rows,
        })
    }

    /// The column named `name` (ignoring case; spaces and hyphens count as underscores).
    pub fn position(&self, name: &str) -> Option<usize> {
        let wanted = normalize(name);
        self.headers.iter().position(|h| normalize(h) == wanted)
    }

    /// The first of `names` that is a column.
    pub fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.position(n))
    }

    /// The column named `name`, or an error listing the columns, with "did you mean".
    pub fn column(&self, name: &str, what: &str) -> Result<usize, String> {
        self.position(name).ok_or_else(|| {
            let hint = self
                .closest(&[normalize(name).as_str()])
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            format!(
                "{} has no column `{name}` ({what}); its columns are {}{hint}",
                self.file,
                self.listed()
            )
        })
    }

    /// The columns, quoted and separated by commas, for messages.
    pub fn listed(&self) -> String {
        self.headers
            .iter()
            .map(|h| format!("`{h}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The header closest to one of `wanted` (normalized names), if close enough to be a
    /// plausible slip.
    pub fn closest(&self, wanted: &[&str]) -> Option<&str> {
        self.headers
            .iter()
            .filter(|h| !h.is_empty())
            .flat_map(|h| {
                let n = normalize(h);
                wanted.iter().map(move |w| {
                    let d = levenshtein(&n, w);
                    // Containment ("Resolution date" for "resolved") counts as close too.
                    let d = if n.contains(w) || (n.len() >= 3 && w.contains(n.as_str())) {
                        d.min(2)
                    } else {
                        d
                    };
                    (d, h)
                })
            })
            .filter(|(d, h)| *d <= 2.max(h.chars().count() / 3))
            .min_by_key(|(d, _)| *d)
            .map(|(_, h)| h.as_str())
    }

    /// A column for messages: ``column `Resolved` (J)``.
    pub fn cell_name(&self, i: usize) -> String {
        format!(
            "column `{}` ({})",
            self.headers.get(i).map_or("", String::as_str),
            column_letter(i)
        )
    }

    /// Where a row is, for messages: `done.csv, line 14` (the spreadsheet row), with the line of
    /// the text file when cells above hold line breaks.
    pub fn location(&self, row: &Row) -> String {
        if row.row == row.line {
            format!("{}, line {}", self.file, row.row)
        } else {
            format!(
                "{}, line {} (line {} of the text: cells above hold line breaks)",
                self.file, row.row, row.line
            )
        }
    }

    /// The date-time in row `row`, column `i`: `Ok(None)` when the cell is empty; the error
    /// names the file, line, column and value, and says which formats would read it.
    pub fn time(
        &self,
        row: &Row,
        i: usize,
        format: Option<&str>,
    ) -> Result<Option<DateTime>, String> {
        let text = row.cell(i);
        if text.is_empty() {
            return Ok(None);
        }
        parse_time(text, format)
            .map(Some)
            .map_err(|why| format!("{}, {}: {why}", self.location(row), self.cell_name(i)))
    }
}

/// Reads a date or date-time: ISO when `format` is `None` (`2026-03-04`, `2026-03-04T10:22:01Z`,
/// `2026-03-04 10:22`; offsets are not applied: the time is taken as written), else with the
/// strptime-style format, which must match the start of the cell (a time after it, separated
/// by a space or `T`, is read when the format has none, else ignored). A date alone is
/// midnight. The error says what is wrong with `text` and which formats would read it.
pub fn parse_time(text: &str, format: Option<&str>) -> Result<DateTime, String> {
    match format {
        None => parse_iso(text).ok_or_else(|| {
            let serial = text.parse::<f64>().is_ok_and(|x| x > 0.0 && x < 200_000.0);
            let hint = if serial {
                " It looks like a spreadsheet's day number: export the dates as text.".into()
            } else {
                suggestions(text, None)
            };
            format!(
                "`{text}` is not a date. Dates are read as ISO dates or date-times (2026-03-04, 2026-03-04T10:22:01Z, 2026-03-04 10:22); give a date format for others, e.g. %d/%m/%Y for 31/12/2026.{hint}"
            )
        }),
        Some(f) => parse_with(f, text).map_err(|miss| match miss {
            FormatMiss::NoMatch => {
                let example = jiff::fmt::strtime::format(f, crate::calendar::today())
                    .map(|s| format!(" (today is {s} in it)"))
                    .unwrap_or_default();
                format!(
                    "`{text}` does not match the date format `{f}`{example}.{}",
                    suggestions(text, Some(f))
                )
            }
            FormatMiss::NoDate(why) => format!(
                "the date format `{f}` reads `{text}` but does not give a date ({why}); it needs a year, a month and a day, e.g. %d/%m/%Y"
            ),
        }),
    }
}

/// A spreadsheet column letter: 0 is A, 26 is AA.
fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// Lower case with spaces and hyphens as underscores.
pub fn normalize(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The delimiter of the header line: a comma unless semicolons or tabs are more frequent.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let line = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let count = |c: u8| line.iter().filter(|b| **b == c).count();
    let (comma, semi, tab) = (count(b','), count(b';'), count(b'\t'));
    if semi > comma && semi >= tab {
        b';'
    } else if tab > comma && tab > semi {
        b'\t'
    } else {
        b','
    }
}

/// Reads an ISO date or date-time, as written.
fn parse_iso(text: &str) -> Option<DateTime> {
    if let Ok(p) = jiff::fmt::temporal::Pieces::parse(text) {
        return Some(p.date().to_datetime(p.time().unwrap_or(Time::midnight())));
    }
    // A date and a time followed by something jiff does not read, e.g. `2026-03-04 10:22:01 UTC`.
    let b = text.as_bytes();
    if b.len() >= 16
        && matches!(b[10], b'T' | b't' | b' ')
        && b[11..13].iter().all(u8::is_ascii_digit)
        && b[13] == b':'
        && b[14..16].iter().all(u8::is_ascii_digit)
    {
        let date = text[..10].parse::<Date>().ok()?;
        let end = if b.len() >= 19 && b[16] == b':' {
            19
        } else {
            16
        };
        let time = text[11..end].parse::<Time>().ok()?;
        return Some(date.to_datetime(time));
    }
    None
}

/// Why a cell does not give a date with a format.
enum FormatMiss {
    NoMatch,
    NoDate(String),
}

/// Reads a date (and a time, when the format or the rest of the cell has one) with a
/// strptime-style format matching the start of the cell.
fn parse_with(format: &str, text: &str) -> Result<DateTime, FormatMiss> {
    let (tm, n) = BrokenDownTime::parse_prefix(format, text).map_err(|_| FormatMiss::NoMatch)?;
    let rest = &text[n..];
    if !(rest.is_empty() || rest.starts_with([' ', 'T', 't'])) {
        return Err(FormatMiss::NoMatch);
    }
    let date = tm
        .to_date()
        .map_err(|e| FormatMiss::NoDate(e.to_string()))?;
    let time = match tm.to_time() {
        Ok(t) if tm.hour().is_some() => t,
        _ => rest
            .get(1..)
            .and_then(|r| {
                let r = r.trim();
                let end = r.len().min(8);
                r.get(..end)
                    .and_then(|s| s.parse::<Time>().ok())
                    .or_else(|| r.get(..5).and_then(|s| s.parse::<Time>().ok()))
            })
            .unwrap_or(Time::midnight()),
    };
    Ok(date.to_datetime(time))
}

/// What a date cell could have been read with, for an error message.
fn suggestions(text: &str, format: Option<&str>) -> String {
    let mut fits: Vec<String> = COMMON_FORMATS
        .iter()
        .filter(|(f, _)| Some(*f) != format && parse_with(f, text).is_ok())
        .map(|(f, note)| {
            if note.is_empty() {
                f.to_string()
            } else {
                format!("{f} ({note})")
            }
        })
        .collect();
    if format.is_some() && parse_iso(text).is_some() {
        fits.insert(0, "no date format at all (it is an ISO date)".into());
    }
    match fits.len() {
        0 => String::new(),
        1 => format!(" It would be read with {}.", fits[0]),
        _ => format!(
            " It would be read with {} or {}.",
            fits[..fits.len() - 1].join(", "),
            fits[fits.len() - 1]
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, datetime};

    #[test]
    fn column_letters_and_names() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(52), "BA");
        assert_eq!(normalize("\u{feff} Done Date"), "done_date");
        assert_eq!(levenshtein("resolved", "resolvd"), 1);
    }

    #[test]
    fn iso_dates_and_date_times() {
        let d = date(2026, 3, 4);
        for (s, t) in [
            ("2026-03-04", d.to_datetime(Time::midnight())),
            ("2026-03-04T10:22:01Z", datetime(2026, 3, 4, 10, 22, 1, 0)),
            ("2026-03-04 10:22", datetime(2026, 3, 4, 10, 22, 0, 0)),
            (
                "2026-03-04T10:22:01+01:00",
                datetime(2026, 3, 4, 10, 22, 1, 0),
            ),
            (
                "2026-03-04 10:22:01 UTC",
                datetime(2026, 3, 4, 10, 22, 1, 0),
            ),
        ] {
            assert_eq!(parse_iso(s), Some(t), "{s}");
        }
        assert_eq!(parse_iso("04/03/2026"), None);
        assert!(matches!(
            parse_with("%d/%m/%Y", "31/12/2026"),
            Ok(x) if x == datetime(2026, 12, 31, 0, 0, 0, 0)
        ));
        assert!(matches!(
            parse_with("%d/%m/%Y", "31/12/2026 10:22"),
            Ok(x) if x == datetime(2026, 12, 31, 10, 22, 0, 0)
        ));
        assert!(matches!(
            parse_with("%d/%b/%y %I:%M %p", "04/Mar/26 2:05 PM"),
            Ok(x) if x == datetime(2026, 3, 4, 14, 5, 0, 0)
        ));
        assert!(parse_with("%d/%m/%Y", "31/12/2026x").is_err());
        assert!(matches!(
            parse_with("%Y", "2026"),
            Err(FormatMiss::NoDate(_))
        ));
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_numbers_them() {
        let text = "\u{feff}id;Title;Done\n1;\"two\nlines\";2026-01-05\n\n2;x;\n3;y;bad\n";
        let s = Sheet::parse(text.as_bytes(), "h.csv".into()).unwrap();
        assert_eq!(s.headers, ["id", "Title", "Done"]);
        assert_eq!(s.rows.len(), 3);
        assert_eq!((s.rows[0].row, s.rows[0].line), (2, 2));
        // The blank line is line 4 of the text; the row after it is spreadsheet row 4.
        assert_eq!((s.rows[1].row, s.rows[1].line), (4, 5));
        assert_eq!(s.position("done"), Some(2));
        assert_eq!(s.time(&s.rows[1], 2, None), Ok(None));
        let e = s.time(&s.rows[2], 2, None).unwrap_err();
        assert!(
            e.starts_with("h.csv, line 5 (line 6 of the text: cells above hold line breaks), column `Done` (C): `bad` is not a date"),
            "{e}"
        );
        let e = s.column("Resolved", "completion dates").unwrap_err();
        assert!(e.contains("has no column `Resolved`"), "{e}");
        assert!(
            Sheet::parse(b"", "e.csv".into())
                .unwrap_err()
                .contains("empty")
        );
    }
}
