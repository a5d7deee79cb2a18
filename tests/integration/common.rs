//! Helpers shared by the integration tests.
#![allow(dead_code)]

use flowsim::metrics::Summary;
use flowsim::runner::{self, RunOptions, RunResult};
use flowsim::scenario::Scenario;
use std::path::Path;

/// Parses a scenario written in the file format (panics with the error text if invalid).
pub fn scenario(toml: &str) -> Scenario {
    Scenario::parse(toml, "test.toml").unwrap_or_else(|e| panic!("invalid test scenario:\n{e}"))
}

/// Runs a scenario given as TOML text with the runs and seed it states.
pub fn run(toml: &str) -> RunResult {
    runner::simulate(&scenario(toml), RunOptions::default(), &|_| {}).expect("run succeeds")
}

/// Asserts that |estimate - exact| <= z * se, with a message that shows all three.
pub fn assert_close(what: &str, estimate: f64, exact: f64, se: f64, z: f64) {
    assert!(
        se.is_finite() && se > 0.0,
        "{what}: standard error {se} is not usable"
    );
    let dev = (estimate - exact) / se;
    assert!(
        dev.abs() <= z,
        "{what}: estimate {estimate:.5} vs exact {exact:.5}: off by {dev:.2} standard errors (se {se:.5}, allowed {z})"
    );
}

/// Path to the built `flowsim` binary.
pub fn flowsim_bin() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_flowsim"))
}

/// A fresh empty directory under the system temp dir, unique to this test.
/// It lives under Cargo's per-target temporary directory, so test runs do not pile up in /tmp.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("flowsim-test-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The z used by the statistical tests: a two-sided tail of 6.3e-5 per comparison for an estimate
/// whose standard error is known (or estimated with hundreds of degrees of freedom).
pub const Z: f64 = 4.0;

/// The critical value with the same two-sided tail probability as the normal `z` when the standard
/// error is itself estimated with `dof` degrees of freedom (Student's t), e.g. a percentile's
/// standard error from 20 batch means (19 degrees of freedom).
pub fn z_for_dof(z: f64, dof: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
    let p = Normal::new(0.0, 1.0).expect("standard normal").cdf(z);
    StudentsT::new(0.0, 1.0, dof)
        .expect("valid degrees of freedom")
        .inverse_cdf(p)
}

/// Asserts that |estimate - exact| <= z * se + bias, where `bias` is a stated bound on a
/// deterministic difference between what the simulation estimates and the exact value (start-up or
/// end effects, histogram resolution, rounding of a reference value).
pub fn assert_close_bias(what: &str, estimate: f64, exact: f64, se: f64, z: f64, bias: f64) {
    assert!(
        se.is_finite() && se > 0.0,
        "{what}: standard error {se} is not usable"
    );
    assert!(bias.is_finite() && bias >= 0.0, "{what}: bias bound {bias}");
    let dev = (estimate - exact) / se;
    let allowed = z + bias / se;
    assert!(
        dev.abs() <= allowed,
        "{what}: estimate {estimate:.5} vs exact {exact:.5}: off by {dev:.2} standard errors (se {se:.5}, allowed {z} + bias bound {bias:.5})"
    );
}

/// A standard error the summary must report.
pub fn se(what: &str, se: Option<f64>) -> f64 {
    se.unwrap_or_else(|| panic!("{what}: no standard error reported"))
}

/// Runs a scenario as `groups` independent Monte Carlo runs with seeds `seed`, `seed + 1`, ...
/// (the scenario's runs each), in parallel. Gives standard errors for fields the summary reports
/// without one, from the spread between groups.
pub fn run_groups(toml: &str, groups: u64) -> Vec<Summary> {
    use rayon::prelude::*;
    let sc = scenario(toml);
    (0..groups)
        .into_par_iter()
        .map(|g| {
            let options = RunOptions {
                runs: None,
                seed: Some(sc.simulation.seed + g),
            };
            runner::simulate(&sc, options, &|_| {})
                .expect("run succeeds")
                .summary
        })
        .collect()
}

/// Mean of independent values and its standard error (from their spread; `values.len() - 1`
/// degrees of freedom).
pub fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    assert!(values.len() >= 2, "need two values for a standard error");
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Mean over equal-sized independent groups of estimates with their reported standard errors:
/// (mean, sqrt(sum se^2) / groups).
pub fn pool(estimates: &[(f64, f64)]) -> (f64, f64) {
    let n = estimates.len() as f64;
    let mean = estimates.iter().map(|e| e.0).sum::<f64>() / n;
    let se = estimates.iter().map(|e| e.1 * e.1).sum::<f64>().sqrt() / n;
    (mean, se)
}

/// Runs the `flowsim` binary from the repository's top directory.
pub fn flowsim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(flowsim_bin())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("flowsim starts")
}

/// Runs `flowsim` and fails the test, showing its error output, unless it succeeds.
pub fn flowsim_ok(args: &[&str]) {
    let out = flowsim(args);
    assert!(
        out.status.success(),
        "flowsim {args:?} failed with {:?}:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn path_str(p: &std::path::Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// Width of the browser window the page tests use.
pub const BROWSER_WIDTH: u32 = 1280;

/// `chromium` on PATH, or `None` after saying why the test is skipped.
pub fn chromium(test: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("chromium"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        // Straight to standard error, past the test harness's capture, so the skip shows in
        // `cargo test` output even though the test passes.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED {test}: no `chromium` on PATH, so the page was not opened in a browser \
             (install it with `apt-get install -y chromium`; .ci/run does)"
        );
    }
    found
}

/// Runs headless Chromium on a local file with the flags that work as root on a closed network;
/// `mode` is `--dump-dom` or `--screenshot=FILE`. Killed after two minutes.
pub fn run_chromium(
    bin: &std::path::Path,
    page: &std::path::Path,
    mode: &str,
    height: u32,
    scratch: &std::path::Path,
) -> std::process::Output {
    let profile = scratch.join(format!("profile-{height}-{}", mode.len()));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).unwrap();
    let page = page.canonicalize().expect("the page exists");
    let mut child = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={BROWSER_WIDTH},{height}"))
        .arg(mode)
        .arg(format!("file://{}", page.display()))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // Read the pipes on threads so a large DOM cannot block the browser.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut v).map(|_| v)
    });
    let err_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut v).map(|_| v)
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for chromium") {
            break status;
        }
        if start.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium {mode} did not finish within two minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    std::process::Output {
        status,
        stdout: out_thread.join().unwrap().unwrap_or_default(),
        stderr: err_thread.join().unwrap().unwrap_or_default(),
    }
}

/// Text as a browser serializes it in `--dump-dom` (only `&`, `<`, `>` and no-break spaces
/// escaped).
pub fn dom_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

/// The rendered DOM of a page.
pub fn dump_dom(bin: &Path, page: &Path, scratch: &Path) -> String {
    let out = run_chromium(bin, page, "--dump-dom", 1000, scratch);
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && dom.contains("</html>"),
        "chromium --dump-dom failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

/// An RGB screenshot.
pub struct Shot {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Shot {
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    pub fn is_white(&self, x: usize, y: usize) -> bool {
        self.pixel(x, y).iter().all(|&c| c >= 250)
    }

    /// One past the last row with a non-white pixel.
    pub fn content_end(&self) -> usize {
        (0..self.height)
            .rev()
            .find(|&y| (0..self.width).any(|x| !self.is_white(x, y)))
            .map_or(0, |y| y + 1)
    }
}

/// Decodes a PNG file into RGB pixels.
pub fn decode_png(path: &Path) -> Shot {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", path.display()));
    decode_png_bytes(&bytes)
}

/// Decodes PNG bytes into RGB pixels.
pub fn decode_png_bytes(bytes: &[u8]) -> Shot {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("the screenshot is a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut buf).expect("the PNG decodes");
    let (width, height) = (info.width as usize, info.height as usize);
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        other => panic!("unexpected colour type {other:?}"),
    };
    let mut rgb = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        let row = &buf[y * info.line_size..y * info.line_size + width * channels];
        for px in row.chunks(channels) {
            match channels {
                1 | 2 => rgb.extend([px[0]; 3]),
                _ => rgb.extend(&px[..3]),
            }
        }
    }
    Shot { width, height, rgb }
}

/// A screenshot of the whole page: the window grows until the bottom 300 rows are blank, i.e.
/// nothing below was cut off.
pub fn screenshot_whole_page(bin: &Path, page: &Path, scratch: &Path, keep: &Path) -> Shot {
    let mut height = 6000;
    loop {
        let file = scratch.join(format!("shot-{height}.png"));
        let _ = std::fs::remove_file(&file);
        let out = run_chromium(
            bin,
            page,
            &format!("--screenshot={}", file.display()),
            height,
            scratch,
        );
        assert!(
            out.status.success(),
            "chromium --screenshot failed ({:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let shot = decode_png(&file);
        assert_eq!(
            (shot.width, shot.height),
            (BROWSER_WIDTH as usize, height as usize),
            "the screenshot is not the window size"
        );
        if shot.content_end() + 300 <= shot.height {
            let _ = std::fs::copy(&file, keep);
            return shot;
        }
        assert!(
            height < 16000,
            "the page is taller than 16000 pixels at {BROWSER_WIDTH} wide"
        );
        height = (height * 2).min(16000);
    }
}

/// Checks that a screenshot shows a real page: many colours, ink spread over the whole height
/// and both halves of the width, some saturated colour (CSS and charts applied).
pub fn assert_not_blank(shot: &Shot, min_height: usize) {
    let end = shot.content_end();
    assert!(
        end >= min_height,
        "the page is only {end} pixels tall (expected at least {min_height})"
    );
    let mut colours = std::collections::HashSet::new();
    let mut saturated = 0usize;
    let bands = 10;
    let mut ink_per_band = vec![0usize; bands];
    let (mut left, mut right) = (0usize, 0usize);
    for y in 0..end {
        for x in 0..shot.width {
            let p = shot.pixel(x, y);
            colours.insert(p);
            if !shot.is_white(x, y) {
                ink_per_band[y * bands / end] += 1;
                if x < shot.width / 2 {
                    left += 1;
                } else {
                    right += 1;
                }
            }
            let (max, min) = (*p.iter().max().unwrap(), *p.iter().min().unwrap());
            if max - min > 60 {
                saturated += 1;
            }
        }
    }
    assert!(
        colours.len() >= 64,
        "only {} distinct colours",
        colours.len()
    );
    let band_pixels = shot.width * end / bands;
    for (i, ink) in ink_per_band.iter().enumerate() {
        assert!(
            *ink * 200 >= band_pixels,
            "band {i} of {bands} (rows {}..{}) is nearly blank: {ink} non-white pixels",
            i * end / bands,
            (i + 1) * end / bands
        );
    }
    assert!(
        left * 10 >= right && right * 10 >= left,
        "ink is lopsided: {left} left, {right} right"
    );
    assert!(saturated >= 2000, "only {saturated} coloured pixels");
}

/// Shapes drawn in an SVG fragment (rectangles, paths, lines, polygons, circles).
pub fn drawn_shapes(svg: &str) -> usize {
    [
        "<rect",
        "<path",
        "<polyline",
        "<polygon",
        "<line",
        "<circle",
    ]
    .iter()
    .map(|t| svg.matches(t).count())
    .sum()
}
