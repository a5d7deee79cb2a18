//! Sharded runs (`flowsim run --shard`, `flowsim merge`) through the real binary: shards run as
//! separate processes and merged give the very bytes of one run; uneven and empty shards; every
//! way a set of partial results can be wrong is a clear error (exit code 2); `--shard auto` from
//! Slurm and Kubernetes variables.

use crate::common::{flowsim_bin, path_str, temp_dir};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The variables `--shard auto` reads; cleared for every child so the tests' own environment
/// (a CI job that is itself an array task) cannot leak in.
const SHARD_VARS: [&str; 6] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "JOB_COMPLETION_INDEX",
    "FLOWSIM_SHARD_COUNT",
];

/// `program args` with the shard variables of `env` only, from the repository's top directory.
fn command_for(program: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    for v in SHARD_VARS {
        c.env_remove(v);
    }
    c.envs(env.iter().copied());
    c
}

fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    command_for(&flowsim_bin(), args, env)
}

fn flowsim_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    command(args, env).output().expect("flowsim starts")
}

fn flowsim(args: &[&str]) -> Output {
    flowsim_env(args, &[])
}

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed with {:?}:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts exit code 2 and that the error mentions each of `says`; returns the error text.
fn refused(out: Output, says: &[&str]) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    for s in says {
        assert!(err.contains(s), "expected {s:?} in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn scenario_path(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

/// Runs shards `1..=count` of a scenario as separate processes at the same time; returns their
/// directories, in shard order.
fn run_shards(dir: &Path, scenario: &str, runs: u32, count: u32, extra: &[&str]) -> Vec<PathBuf> {
    let runs = runs.to_string();
    let children: Vec<(PathBuf, std::process::Child)> = (1..=count)
        .map(|i| {
            let out = dir.join(format!("shard-{i}"));
            let spec = format!("{i}/{count}");
            let mut args = vec![
                "run",
                scenario,
                "--runs",
                &runs,
                "--shard",
                &spec,
                "--out",
                path_str(&out),
                "-q",
            ];
            args.extend(extra);
            let child = command(&args, &[])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("flowsim starts");
            (out, child)
        })
        .collect();
    children
        .into_iter()
        .enumerate()
        .map(|(i, (out, child))| {
            ok(
                child.wait_with_output().unwrap(),
                &format!("shard {}", i + 1),
            );
            out
        })
        .collect()
}

/// Every file of `a` is in `b` with the same bytes, and there are no others.
fn assert_same_files(a: &Path, b: &Path) {
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let files = names(a);
    assert_eq!(files, names(b), "{} vs {}", a.display(), b.display());
    for f in ["summary.json", "stages.csv", "lead_times.csv"] {
        assert!(files.contains(&f.to_string()), "{f} written");
    }
    for f in &files {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn strs(dirs: &[PathBuf]) -> Vec<&str> {
    dirs.iter().map(|d| path_str(d)).collect()
}

/// `flowsim merge DIRS --out OUT -q` (plus `extra`), which must succeed.
fn merge_ok(dirs: &[&str], out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["merge"];
    args.extend(dirs);
    args.extend(["--out", path_str(out)]);
    args.extend(extra);
    ok(flowsim(&args), "merge")
}

fn merge_err(dirs: &[&str], out: &Path) -> Output {
    let mut args = vec!["merge"];
    args.extend(dirs);
    args.extend(["--out", path_str(out), "-q"]);
    flowsim(&args)
}

fn single_run(scenario: &str, runs: u32, out: &Path, extra: &[&str]) {
    let runs = runs.to_string();
    let mut args = vec![
        "run",
        scenario,
        "--runs",
        &runs,
        "--out",
        path_str(out),
        "-q",
    ];
    args.extend(extra);
    ok(flowsim(&args), "the single run");
}

fn partial(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("partial.json")).unwrap()).unwrap()
}

#[test]
fn four_shards_as_separate_processes_merge_into_exactly_one_run() {
    let dir = temp_dir("shard-four");
    // An `items` run with teams, rework, a delay and a cadence; and a `horizon` run with a
    // warm-up.
    for (name, runs) in [
        ("feature-delivery.toml", 40),
        ("incident-response.toml", 25),
    ] {
        let sc = scenario_path(name);
        let work = dir.join(name);
        let shards = run_shards(&work, &sc, runs, 4, &[]);
        for (i, s) in shards.iter().enumerate() {
            let p = partial(s);
            assert_eq!(p["shard"], i as u64 + 1);
            assert_eq!(p["shards"], 4);
            assert_eq!(p["runs"], runs);
            assert_eq!(p["format_version"], 1);
            assert_eq!(p["flowsim_version"], env!("CARGO_PKG_VERSION"));
        }
        single_run(&sc, runs, &work.join("single"), &[]);
        // In any order: the merge sorts the shards.
        let mut given = strs(&shards);
        given.reverse();
        let out = merge_ok(&given, &work.join("merged"), &[]);
        assert!(out.contains("Merged 4 shards"), "{out}");
        assert!(out.contains("Lead time"), "the summary table: {out}");
        assert_same_files(&work.join("single"), &work.join("merged"));
    }
}

#[test]
fn uneven_and_empty_shards_merge_into_exactly_one_run() {
    let dir = temp_dir("shard-uneven");
    let sc = scenario_path("feature-delivery.toml");
    // 10 runs in 4 shards: 2, 3, 2 and 3 replications.
    let shards = run_shards(&dir.join("ten"), &sc, 10, 4, &["--no-charts"]);
    let sizes: Vec<u64> = shards
        .iter()
        .map(|s| partial(s)["replications"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [2, 3, 2, 3]);
    let firsts: Vec<u64> = shards
        .iter()
        .map(|s| partial(s)["first_replication"].as_u64().unwrap())
        .collect();
    assert_eq!(firsts, [0, 2, 5, 7]);
    single_run(&sc, 10, &dir.join("ten-single"), &["--no-charts"]);
    merge_ok(
        &strs(&shards),
        &dir.join("ten-merged"),
        &["--no-charts", "-q"],
    );
    assert_same_files(&dir.join("ten-single"), &dir.join("ten-merged"));

    // More shards than runs: the empty shards are allowed, say so, and are needed by the merge.
    let empty = dir.join("three/empty");
    let out = ok(
        flowsim(&[
            "run",
            &sc,
            "--runs",
            "3",
            "--shard",
            "1/5",
            "--out",
            path_str(&empty),
        ]),
        "an empty shard",
    );
    assert!(out.contains("no replications"), "{out}");
    assert_eq!(partial(&empty)["replications"], 0);
    let shards = run_shards(&dir.join("three"), &sc, 3, 5, &[]);
    single_run(&sc, 3, &dir.join("three-single"), &[]);
    merge_ok(&strs(&shards), &dir.join("three-merged"), &["-q"]);
    assert_same_files(&dir.join("three-single"), &dir.join("three-merged"));
    refused(
        merge_err(&strs(&shards[1..]), &dir.join("no")),
        &["shard 1 of 5 is missing: have 2..5"],
    );
}

#[test]
fn a_missing_or_duplicated_shard_is_refused_by_name() {
    let dir = temp_dir("shard-missing");
    let sc = scenario_path("feature-delivery.toml");
    let shards = run_shards(&dir, &sc, 12, 6, &["--no-charts"]);
    let all = strs(&shards);
    let out = dir.join("merged");
    refused(
        merge_err(&[all[0], all[1], all[3], all[4], all[5]], &out),
        &["shard 3 of 6 is missing: have 1, 2, 4..6"],
    );
    refused(
        merge_err(&[all[1], all[3]], &out),
        &["shards 1, 3, 5, 6 of 6 are missing: have 2, 4"],
    );
    let copy = dir.join("copy-of-2");
    std::fs::create_dir_all(&copy).unwrap();
    for f in std::fs::read_dir(&shards[1]).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), copy.join(f.file_name())).unwrap();
    }
    let mut with_copy = all.clone();
    with_copy.push(path_str(&copy));
    refused(
        merge_err(&with_copy, &out),
        &["shard 2 of 6 given twice", all[1], path_str(&copy)],
    );
    assert!(
        !out.exists(),
        "nothing is written when the merge is refused"
    );
}

/// Copies a shard's directory, so that a test can spoil the copy.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
    }
}

#[test]
fn shards_of_different_runs_or_versions_and_other_directories_are_refused() {
    let dir = temp_dir("shard-mixed");
    let sc = scenario_path("feature-delivery.toml");
    let shards = run_shards(&dir.join("base"), &sc, 8, 2, &["--no-charts"]);
    let first = path_str(&shards[0]);
    let out = dir.join("merged");

    // Shard 2 of a different scenario file (one value changed).
    let text = std::fs::read_to_string(&sc).unwrap();
    let changed = dir.join("other-stream.toml");
    std::fs::write(
        &changed,
        text.replacen("seed = 42", "seed = 42\n# edited", 1),
    )
    .unwrap();
    assert_ne!(std::fs::read_to_string(&changed).unwrap(), text);
    let other = dir.join("other");
    ok(
        flowsim(&[
            "run",
            path_str(&changed),
            "--runs",
            "8",
            "--shard",
            "2/2",
            "--out",
            path_str(&other),
            "-q",
        ]),
        "the other scenario's shard",
    );
    refused(
        merge_err(&[first, path_str(&other)], &out),
        &[
            "shards of different runs",
            "different scenarios",
            "other-stream.toml",
            "feature-delivery.toml",
        ],
    );

    // A different seed, number of runs, number of shards.
    for (extra, says) in [
        (
            &["--shard", "2/2", "--seed", "7"][..],
            "different seeds: 42 and 7",
        ),
        (
            &["--shard", "2/2", "--runs", "9"][..],
            "different numbers of runs: 8 and 9",
        ),
        (
            &["--shard", "2/3"][..],
            "different numbers of shards: 2 and 3",
        ),
    ] {
        let d = dir.join(format!("x{}", extra.join("")).replace('/', "-"));
        let mut args = vec!["run", &sc, "--out", path_str(&d), "-q"];
        args.extend(extra);
        if !extra.contains(&"--runs") {
            args.extend(["--runs", "8"]);
        }
        ok(flowsim(&args), says);
        refused(merge_err(&[first, path_str(&d)], &out), &[says]);
    }

    // Another flowsim version.
    let old = dir.join("old-version");
    copy_dir(&shards[1], &old);
    let p = std::fs::read_to_string(old.join("partial.json")).unwrap();
    let version = format!("\"flowsim_version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(p.contains(&version), "{p}");
    std::fs::write(
        old.join("partial.json"),
        p.replace(&version, "\"flowsim_version\": \"0.0.1\""),
    )
    .unwrap();
    refused(
        merge_err(&[first, path_str(&old)], &out),
        &[
            "written by flowsim 0.0.1",
            env!("CARGO_PKG_VERSION"),
            "old-version",
        ],
    );

    // An edited scenario.toml, a truncated and a spoiled totals.bin.
    let edited = dir.join("edited");
    copy_dir(&shards[1], &edited);
    std::fs::write(
        edited.join("scenario.toml"),
        text.replace("Feature", "Future"),
    )
    .unwrap();
    refused(
        merge_err(&[first, path_str(&edited)], &out),
        &["edited", "scenario.toml is not the scenario this shard ran"],
    );
    let short = dir.join("short");
    copy_dir(&shards[1], &short);
    let bin = std::fs::read(short.join("totals.bin")).unwrap();
    std::fs::write(short.join("totals.bin"), &bin[..bin.len() - 3]).unwrap();
    refused(
        merge_err(&[first, path_str(&short)], &out),
        &["totals.bin is damaged", "ends before its last replication"],
    );
    let spoiled = dir.join("spoiled");
    copy_dir(&shards[1], &spoiled);
    let mut bin = bin.clone();
    let at = bin.len() - 20;
    bin[at] ^= 1;
    std::fs::write(spoiled.join("totals.bin"), &bin).unwrap();
    refused(
        merge_err(&[first, path_str(&spoiled)], &out),
        &["totals.bin is damaged", "FNV-1a"],
    );

    // Directories that are not partial results.
    let full = dir.join("full");
    single_run(&sc, 8, &full, &["--no-charts"]);
    refused(
        merge_err(&[first, path_str(&full)], &out),
        &["holds the results of a whole run"],
    );
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    refused(
        merge_err(&[path_str(&empty), first], &out),
        &["is not a partial result", "partial.json"],
    );
    let junk = dir.join("junk");
    std::fs::create_dir_all(&junk).unwrap();
    std::fs::write(
        junk.join("partial.json"),
        "{\"format\": \"something else\"}",
    )
    .unwrap();
    refused(
        merge_err(&[first, path_str(&junk)], &out),
        &["is not a flowsim partial result"],
    );
    refused(
        merge_err(&[first, path_str(&dir.join("nowhere"))], &out),
        &["no such directory"],
    );
    assert!(
        !out.exists(),
        "nothing is written when the merge is refused"
    );
}

#[test]
fn shard_auto_reads_slurm_and_kubernetes_variables() {
    let dir = temp_dir("shard-auto");
    let sc = scenario_path("feature-delivery.toml");
    let run = |out: &Path, env: &[(&str, &str)]| {
        flowsim_env(
            &[
                "run",
                &sc,
                "--runs",
                "9",
                "--shard",
                "auto",
                "--out",
                path_str(out),
                "--no-charts",
            ],
            env,
        )
    };
    // A Slurm array submitted with --array=5-7: task 5 is shard 1 of 3.
    let mut slurm = Vec::new();
    for id in ["5", "6", "7"] {
        let out = dir.join(format!("slurm-task-{id}"));
        let stdout = ok(
            run(
                &out,
                &[
                    ("SLURM_ARRAY_TASK_ID", id),
                    ("SLURM_ARRAY_TASK_COUNT", "3"),
                    ("SLURM_ARRAY_TASK_MIN", "5"),
                    ("SLURM_ARRAY_TASK_MAX", "7"),
                ],
            ),
            "a Slurm task",
        );
        assert!(stdout.contains("from SLURM_ARRAY_TASK_ID="), "{stdout}");
        slurm.push(out);
    }
    let shard_numbers: Vec<u64> = slurm
        .iter()
        .map(|d| partial(d)["shard"].as_u64().unwrap())
        .collect();
    assert_eq!(shard_numbers, [1, 2, 3]);
    // A Kubernetes Indexed Job with completions: 3.
    let mut k8s = Vec::new();
    for index in ["0", "1", "2"] {
        let out = dir.join(format!("k8s-index-{index}"));
        ok(
            run(
                &out,
                &[
                    ("JOB_COMPLETION_INDEX", index),
                    ("FLOWSIM_SHARD_COUNT", "3"),
                ],
            ),
            "a Kubernetes pod",
        );
        k8s.push(out);
    }
    single_run(&sc, 9, &dir.join("single"), &["--no-charts"]);
    merge_ok(
        &strs(&slurm),
        &dir.join("slurm-merged"),
        &["--no-charts", "-q"],
    );
    merge_ok(&strs(&k8s), &dir.join("k8s-merged"), &["--no-charts", "-q"]);
    assert_same_files(&dir.join("single"), &dir.join("slurm-merged"));
    assert_same_files(&dir.join("single"), &dir.join("k8s-merged"));

    // Missing or contradictory variables.
    let nowhere = dir.join("nowhere");
    for (env, says) in [
        (&[][..], "neither SLURM_ARRAY_TASK_ID"),
        (
            &[("SLURM_ARRAY_TASK_ID", "1")][..],
            "SLURM_ARRAY_TASK_COUNT is not",
        ),
        (
            &[("JOB_COMPLETION_INDEX", "1")][..],
            "FLOWSIM_SHARD_COUNT is not",
        ),
        (
            &[("JOB_COMPLETION_INDEX", "3"), ("FLOWSIM_SHARD_COUNT", "3")][..],
            "only 3 tasks, 0 to 2",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("JOB_COMPLETION_INDEX", "1"),
            ][..],
            "both SLURM_ARRAY_TASK_ID=1",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("FLOWSIM_SHARD_COUNT", "4"),
            ][..],
            "contradicts",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "4"),
            ][..],
            "not one contiguous range",
        ),
    ] {
        refused(run(&nowhere, env), &["--shard auto", says]);
    }
    assert!(!nowhere.exists(), "nothing is written for a refused shard");
}

#[test]
fn bad_shard_values_are_refused_with_what_is_allowed() {
    let dir = temp_dir("shard-bad");
    let sc = scenario_path("feature-delivery.toml");
    let out = dir.join("out");
    for (value, says) in [
        ("0/4", "counted from 1"),
        ("5/4", "only 4 shards, so I goes from 1 to 4"),
        ("1/0", "at least one shard"),
        ("x", "give I/N"),
        ("3", "give I/N"),
        ("1.5/4", "whole numbers"),
    ] {
        refused(
            flowsim(&["run", &sc, "--shard", value, "--out", path_str(&out)]),
            &["--shard", says],
        );
    }
    refused(
        flowsim(&[
            "run",
            &sc,
            "--shard",
            "1/2",
            "--events",
            path_str(&dir.join("e.csv")),
        ]),
        &["--events"],
    );
    refused(flowsim(&["merge"]), &["DIR"]);
    assert!(!out.exists());
}

#[test]
fn help_shows_sharding_examples() {
    let help = ok(flowsim(&["merge", "--help"]), "merge --help");
    assert!(
        help.contains("Examples:") && help.contains("flowsim merge"),
        "{help}"
    );
    let help = ok(flowsim(&["run", "--help"]), "run --help");
    assert!(
        help.contains("--shard 3/16") && help.contains("--shard auto"),
        "{help}"
    );
}

#[test]
fn the_default_directories_name_the_shard_and_the_scenario() {
    let dir = temp_dir("shard-default-dirs");
    let sc = dir.join("team-a.toml");
    std::fs::copy(scenario_path("feature-delivery.toml"), &sc).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(flowsim_bin())
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        ok(out, &format!("{args:?}"))
    };
    for spec in ["1/2", "2/2"] {
        let out = run(&[
            "run",
            "team-a.toml",
            "--runs",
            "4",
            "--shard",
            spec,
            "--no-charts",
        ]);
        let want = format!("output/team-a-shard-{}-of-2/", &spec[..1]);
        assert!(
            out.contains(&format!("Partial result written to {want}")),
            "{out}"
        );
    }
    let out = run(&[
        "merge",
        "output/team-a-shard-1-of-2",
        "output/team-a-shard-2-of-2",
        "-q",
        "--no-charts",
    ]);
    assert!(out.contains("Results written to output/team-a/"), "{out}");
    assert!(dir.join("output/team-a/summary.json").exists());
}

/// `bash` on PATH, or `None` after saying why the test is skipped.
fn shell(test: &str, name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED {test}: no `{name}` on PATH to run the deploy scripts with"
        );
    }
    found
}

fn deploy_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(rel)
}

/// The directory holding the flowsim binary, for a PATH that finds it as `flowsim`.
fn path_with_flowsim() -> String {
    let bin_dir = flowsim_bin().parent().unwrap().to_path_buf();
    let mut paths = vec![bin_dir];
    if let Some(p) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(paths).unwrap().into_string().unwrap()
}

#[test]
fn the_slurm_scripts_run_the_shards_and_the_merge() {
    let Some(bash) = shell("the_slurm_scripts_run_the_shards_and_the_merge", "bash") else {
        return;
    };
    let dir = temp_dir("shard-slurm");
    let sc = scenario_path("release-train.toml");
    let path = path_with_flowsim();
    let script = |name: &str, args: &[&str], env: &[(&str, &str)]| {
        let file = deploy_file(name);
        let mut all = vec![path_str(&file)];
        all.extend(args);
        let out = command_for(&bash, &all, env)
            .current_dir(&dir)
            .env("PATH", &path)
            .env("SLURM_CPUS_PER_TASK", "1")
            .env_remove("FLOWSIM")
            .env_remove("FLOWSIM_RESULTS")
            .output()
            .unwrap();
        ok(out, name)
    };
    // An array submitted with --array=0-2 (job 4242): tasks 0, 1 and 2.
    for task in ["0", "1", "2"] {
        script(
            "slurm/flowsim-array.sh",
            &[&sc, "12"],
            &[
                ("SLURM_ARRAY_JOB_ID", "4242"),
                ("SLURM_ARRAY_TASK_ID", task),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "2"),
            ],
        );
    }
    assert_eq!(partial(&dir.join("results/4242/task-2"))["shard"], 3);
    script("slurm/flowsim-merge.sh", &["4242"], &[]);
    single_run(&sc, 12, &dir.join("single"), &[]);
    assert_same_files(&dir.join("single"), &dir.join("results/4242/merged"));
}

/// The block scalar (`>-` folded, `|` literal) that follows the first line after `after` that
/// ends with `>-` or `|`: enough YAML to read the shell commands of the manifests.
fn block_scalar(yaml: &str, after: &str) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let from = lines.iter().position(|l| l.contains(after)).expect(after);
    let (start, folded) = lines[from..]
        .iter()
        .enumerate()
        .find_map(|(i, l)| {
            let t = l.trim_end();
            (t.ends_with(">-") || t.ends_with('|')).then(|| (from + i, t.ends_with(">-")))
        })
        .expect("a block scalar");
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = indent(lines[start]);
    let body: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) > own)
        .map(|l| l.trim())
        .collect();
    body.join(if folded { " " } else { "\n" })
}

/// The value of the first `value:` after `- name: NAME`.
fn env_value(yaml: &str, name: &str) -> String {
    let at = yaml.find(&format!("- name: {name}")).expect(name);
    let rest = &yaml[at..];
    let line = rest
        .lines()
        .find(|l| l.trim().starts_with("value:"))
        .unwrap();
    line.trim()["value:".len()..]
        .trim()
        .trim_matches('"')
        .to_string()
}

#[test]
fn the_kubernetes_manifests_commands_run_the_shards_and_the_merge() {
    let Some(sh) = shell(
        "the_kubernetes_manifests_commands_run_the_shards_and_the_merge",
        "sh",
    ) else {
        return;
    };
    let shards = std::fs::read_to_string(deploy_file("kubernetes/flowsim-shards.yaml")).unwrap();
    let merge = std::fs::read_to_string(deploy_file("kubernetes/flowsim-merge.yaml")).unwrap();
    // The count flowsim is given is the number of completions, and both Jobs agree on the run.
    let completions = shards
        .lines()
        .find_map(|l| l.trim().strip_prefix("completions:"))
        .and_then(|v| v.split('#').next())
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(env_value(&shards, "FLOWSIM_SHARD_COUNT"), completions);
    assert_eq!(env_value(&merge, "FLOWSIM_SHARD_COUNT"), completions);
    assert_eq!(
        env_value(&shards, "RUN_NAME"),
        env_value(&merge, "RUN_NAME")
    );
    assert!(shards.contains("completionMode: Indexed"));

    // The pods' commands, on this machine, with the volumes as directories.
    let dir = temp_dir("shard-k8s");
    std::fs::create_dir_all(dir.join("scenario")).unwrap();
    std::fs::copy(
        scenario_path("feature-delivery.toml"),
        dir.join("scenario/scenario.toml"),
    )
    .unwrap();
    let local = |cmd: String| {
        cmd.replace(" /scenario/", &format!(" {}/scenario/", dir.display()))
            .replace("/results/", &format!("{}/results/", dir.display()))
    };
    let shard_cmd = local(block_scalar(&shards, "name: shard"));
    let wait_cmd =
        local(block_scalar(&merge, "name: wait-for-shards")).replace("sleep 30", "exit 3");
    let merge_cmd = local(block_scalar(&merge, "name: merge"));
    assert!(shard_cmd.contains("--shard auto"), "{shard_cmd}");
    let path = path_with_flowsim();
    let run = |cmd: &str, env: &[(&str, &str)]| {
        command_for(&sh, &["-c", cmd], env)
            .env("PATH", &path)
            .env("RUN_NAME", "test-run")
            .env("FLOWSIM_SHARD_COUNT", "3")
            .env("RUNS", "9")
            .output()
            .unwrap()
    };
    assert_eq!(
        run(&wait_cmd, &[]).status.code(),
        Some(3),
        "the merge waits"
    );
    for index in ["0", "1", "2"] {
        ok(
            run(&shard_cmd, &[("JOB_COMPLETION_INDEX", index)]),
            "a shard pod",
        );
    }
    ok(
        run(&wait_cmd, &[]),
        "the wait ends when every shard is done",
    );
    ok(run(&merge_cmd, &[]), "the merge pod");
    single_run(
        path_str(&dir.join("scenario/scenario.toml")),
        9,
        &dir.join("single"),
        &[],
    );
    assert_same_files(&dir.join("single"), &dir.join("results/test-run/merged"));
}
