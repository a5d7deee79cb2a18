//! How whole numbers are written for people: thousands separated by commas. Shared by the
//! runner's sentences, the charts and the report.

/// A whole number with thousands separated by commas: `1,000`, `60,000`.
pub fn thousands(n: u64) -> String {
    group_thousands(&n.to_string(), 3)
}

/// Inserts commas into the integer part of a formatted number when it has more than
/// `min_digits` digits: `group_thousands("12345.6", 4)` is `12,345.6`.
pub fn group_thousands(s: &str, min_digits: usize) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if int.len() <= min_digits {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(group_thousands("-12345.67", 4), "-12,345.67");
        assert_eq!(group_thousands("1234.5", 4), "1234.5");
    }
}
