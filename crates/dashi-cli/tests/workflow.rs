//! `dashi demo`, `dashi plot`, `dashi completions`, bad truth inputs and killed runs, end
//! to end through the binary. Every metrics file is checked against
//! `docs/metrics.schema.json`.

mod common;

use common::{assert_metrics, check, dashi, metrics, schema, stderr};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn non_empty(path: &Path) {
    let len = path.metadata().unwrap_or_else(|e| panic!("{}: {e}", path.display())).len();
    assert!(len > 0, "{} is empty", path.display());
}

fn starts_with(path: &Path, magic: &[u8]) {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(magic), "{} does not start with {magic:?}", path.display());
}

#[test]
fn the_schema_checker_rejects_broken_metrics() {
    // The checker used by every test below can fail: a missing key, a value outside an
    // enum, an extra top-level key and a negative timing are each reported.
    let good = serde_json::json!({
        "command": "plot", "version": "0.1.0", "backend_requested": "none", "backend_used": {}, "device": {},
        "dtype": "none", "fft_norm": "backward", "parameters": {}, "timings": { "plot_s": 0.1 }, "results": { "out": "x" }
    });
    let mut errors = Vec::new();
    check(&good, &schema(), "$", &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    let broken = [
        ("command", serde_json::Value::Null),
        ("dtype", serde_json::json!("f16")),
        ("extra", serde_json::json!(1)),
        ("timings", serde_json::json!({ "plot_s": -1.0 })),
        ("fft_norm", serde_json::json!("ortho")),
    ];
    for (key, value) in broken {
        let mut m = good.clone();
        if value.is_null() {
            m.as_object_mut().unwrap().remove(key);
        } else {
            m[key] = value;
        }
        let mut errors = Vec::new();
        check(&m, &schema(), "$", &mut errors);
        assert!(!errors.is_empty(), "breaking {key} went unnoticed");
    }
}

#[test]
fn demo_writes_every_file_and_plot_redraws_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "demo",
        "--backend",
        "cpu",
        "--n",
        "32",
        "--frames",
        "10",
        "--rollout-steps",
        "100",
        "--out",
        "demo",
        "--metrics-json",
        "m.json",
    ];
    let o = dashi(&args, d);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("high-corr. time") && stdout.contains("v4 rollout"), "{stdout}");
    let demo = d.join("demo");
    for file in [
        "truth/omega.npy",
        "truth/t.npy",
        "truth/spectrum.npy",
        "truth/diagnostics.csv",
        "truth/meta.json",
        "model.dashi",
        "scores.csv",
        "summary.md",
        "metrics.json",
    ] {
        non_empty(&demo.join(file));
    }
    for png in ["truth/png/omega_00000.png", "triptych_00000.png", "correlation.png", "spectrum.png", "diagnostics.png"]
    {
        starts_with(&demo.join(png), b"\x89PNG\r\n\x1a\n");
    }
    starts_with(&demo.join("truth_vs_decoded.gif"), b"GIF89a");
    let summary = std::fs::read_to_string(demo.join("summary.md")).unwrap();
    assert!(summary.contains("high-correlation time") && summary.contains("| les |"), "{summary}");
    let m = metrics(&d.join("m.json"));
    assert_metrics(&m, "demo");
    assert_eq!(metrics(&demo.join("metrics.json")), m);
    for stage in ["les", "fit", "rollout", "decode"] {
        assert_eq!(m["backend_used"][stage], "cpu");
    }
    assert_eq!(m["results"]["frames"], 11);

    // Refused without --force (naming --out), nothing staged left behind; replaced with it.
    let o = dashi(&args[..args.len() - 2], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--out"), "{}", stderr(&o));
    assert!(std::fs::read_dir(d).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().contains(".partial")));

    // dashi plot redraws every picture from the saved data.
    let truth = demo.join("truth").display().to_string();
    let plots: [(&[&str], &str, &[u8]); 6] = [
        (&["field", "--frame", "3"], "field.png", b"\x89PNG"),
        (&["spectrum", "--frame", "0,5,last"], "spectrum.png", b"\x89PNG"),
        (&["diagnostics"], "diagnostics.png", b"\x89PNG"),
        (&["gif", "--delay-ms", "50"], "omega.gif", b"GIF89a"),
        (&["scores", "--scores", "demo", "--metric", "lsd"], "lsd.png", b"\x89PNG"),
        (&["scores", "--scores", "demo/scores.csv"], "corr.png", b"\x89PNG"),
    ];
    for (i, (what, out, magic)) in plots.iter().enumerate() {
        let metrics_file = format!("plot{i}.json");
        let mut all = vec!["plot"];
        all.extend_from_slice(what);
        if what[0] != "scores" {
            all.extend_from_slice(&["--truth", &truth]);
        }
        all.extend_from_slice(&["--out", out, "--metrics-json", &metrics_file, "--quiet"]);
        let o = dashi(&all, d);
        assert!(o.status.success(), "{all:?}: {}", stderr(&o));
        starts_with(&d.join(out), magic);
        assert_metrics(&metrics(&d.join(&metrics_file)), "plot");
        // An existing picture is not overwritten without --force.
        let again: Vec<&str> =
            all.iter().copied().filter(|a| !a.ends_with(".json") && *a != "--metrics-json").collect();
        let o = dashi(&again, d);
        assert_eq!(o.status.code(), Some(2), "{again:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("--out"), "{}", stderr(&o));
    }
    // Bad plot input names the flag.
    for (args, flag) in [
        (vec!["plot", "field", "--truth", truth.as_str(), "--frame", "99", "--out", "x.png"], "--frame"),
        (vec!["plot", "field", "--truth", truth.as_str(), "--frame", "first", "--out", "x.png"], "--frame"),
        (vec!["plot", "field", "--truth", truth.as_str(), "--limit=-1", "--out", "x.png"], "--limit"),
        (vec!["plot", "scores", "--scores", "demo", "--metric", "speed", "--out", "x.png"], "--metric"),
    ] {
        let o = dashi(&args, d);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{args:?}: {}", stderr(&o));
    }
    assert!(!d.join("x.png").exists());
}

#[test]
fn demo_bad_sizes_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (args, flag) in [
        (vec!["demo", "--n", "100"], "--n"),
        (vec!["demo", "--n", "16"], "--n"),
        (vec!["demo", "--frames", "4"], "--frames"),
        (vec!["demo", "--train-frac", "1.5"], "train"),
    ] {
        let o = dashi(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{args:?} should name {flag}: {}", stderr(&o));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "bad usage must not create outputs");
}

#[test]
fn completions_for_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = dashi(&["completions", shell], dir.path());
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = String::from_utf8_lossy(&o.stdout);
        for word in ["demo", "decode", "plot", "metrics-json"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let o = dashi(&["completions", "tcsh"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn every_command_has_help_with_an_example() {
    let dir = tempfile::tempdir().unwrap();
    for command in
        ["info", "les", "validate", "fit", "rollout", "decode", "sweep", "demo", "plot", "atoms", "completions"]
    {
        let o = dashi(&[command, "--help"], dir.path());
        assert!(o.status.success(), "{command}: {}", stderr(&o));
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(help.contains("Example"), "{command} --help has no example:\n{help}");
        assert!(help.contains(&format!("dashi {command}")), "{command} --help example does not run {command}");
    }
}

/// A truth of `frames` frames of 16² under `<dir>/truths/<id>`.
fn small_truth(dir: &Path, id: &str) {
    let o =
        dashi(&["les", "--backend", "cpu", "--n", "16", "--steps", "8", "--stride", "2", "--id", id, "--quiet"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn bad_truth_inputs_name_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // No truths at all: --truth latest is bad usage naming --truth.
    for command in [&["fit", "--out", "m.dashi"][..], &["plot", "field", "--out", "x.png"][..]] {
        let mut args = command.to_vec();
        args.extend_from_slice(&["--truth", "latest", "--backend", "cpu"]);
        if command[0] == "plot" {
            args.truncate(args.len() - 2);
        }
        let o = dashi(&args, d);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("--truth latest"), "{}", stderr(&o));
    }
    small_truth(d, "good");
    // An unknown selector lists where it looked.
    let o = dashi(&["fit", "--backend", "cpu", "--truth", "nosuch", "--out", "m.dashi"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--truth nosuch") && stderr(&o).contains("truths"), "{}", stderr(&o));

    // A NaN written into omega.npy: refused (exit 1) naming the file and the frame.
    small_truth(d, "poisoned");
    let omega = d.join("truths/poisoned/omega.npy");
    let mut bytes = std::fs::read(&omega).unwrap();
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let frame = 2;
    let at = 10 + header_len + 4 * (frame * 16 * 16 + 5);
    bytes[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    std::fs::write(&omega, bytes).unwrap();
    for args in [
        vec!["fit", "--backend", "cpu", "--truth", "poisoned", "--k-cut", "2", "--mid-cut", "6", "--topk", "4"],
        // Frames are read when needed (docs/RELIABILITY.md §3): plotting the poisoned one
        // fails.
        vec!["plot", "field", "--truth", "poisoned", "--frame", "2", "--out", "p.png"],
    ] {
        let o = dashi(&args, d);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("omega.npy") && err.contains("non-finite") && err.contains("frame 2"), "{err}");
    }
    assert!(!d.join("model.dashi").exists() && !d.join("p.png").exists());

    // A missing model file is bad usage that says how to make one.
    let o = dashi(&["rollout", "--backend", "cpu", "--model", "absent.dashi"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--model absent.dashi") && stderr(&o).contains("dashi fit"), "{}", stderr(&o));
    // A corrupt model file: decode fails (exit 1) naming it, with no output directory.
    std::fs::write(d.join("junk.dashi"), b"DASHI not really a model").unwrap();
    let o = dashi(&["decode", "--backend", "cpu", "--model", "junk.dashi", "--truth", "good", "--out", "dec"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("junk.dashi"), "{}", stderr(&o));
    assert!(!d.join("dec").exists());
}

/// Starts `dashi args…` in `dir`, waits until `staged` appears (the run is writing), then
/// kills it with SIGKILL.
fn kill_when_staged(args: &[&str], dir: &Path, staged: impl Fn() -> bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dashi"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dashi starts");
    let start = Instant::now();
    while !staged() {
        assert!(child.try_wait().unwrap().is_none(), "{args:?} ended before it was killed");
        assert!(start.elapsed() < Duration::from_secs(60), "{args:?}: no staging output after 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_killed_run_leaves_nothing_under_final_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // dashi les, killed mid-run: no truth directory, no manifest entry.
    let les = ["les", "--backend", "cpu", "--n", "64", "--steps", "100000000", "--stride", "5", "--id", "killed"];
    kill_when_staged(&les, d, || d.join("truths/.killed.partial/omega.npy").exists());
    assert!(!d.join("truths/killed").exists());
    let manifest = std::fs::read_to_string(d.join("truths/manifest.json")).unwrap_or_default();
    assert!(!manifest.contains("\"killed\""), "{manifest}");
    assert!(d.join("truths/.killed.partial").exists(), "SIGKILL leaves the staging directory");
    // The next run into the root removes it (its writer lock died with the process,
    // docs/RELIABILITY.md), so the id is free again.
    let rerun = ["les", "--backend", "cpu", "--n", "16", "--steps", "10", "--stride", "5", "--id", "killed", "-q"];
    let o = dashi(&rerun, d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!d.join("truths/.killed.partial").exists() && d.join("truths/killed/meta.json").exists());

    // dashi demo, killed mid-run: no `demo` directory; the next run clears the stale staging.
    let demo = ["demo", "--backend", "cpu", "--n", "64", "--frames", "5000", "--out", "demo", "--quiet"];
    let staged =
        || std::fs::read_dir(d).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with("demo.partial-"));
    kill_when_staged(&demo, d, staged);
    assert!(!d.join("demo").exists());
    assert!(staged(), "SIGKILL leaves the staging directory");
    let o = dashi(&["demo", "--backend", "cpu", "--n", "32", "--frames", "5", "--out", "demo", "--quiet"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!staged(), "the stale staging directory of the killed run was not removed");
    non_empty(&d.join("demo/summary.md"));
}

#[test]
fn info_lists_adapters_and_writes_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let o = dashi(&["info", "--metrics-json", "i.json"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let m = metrics(&dir.path().join("i.json"));
    assert_metrics(&m, "info");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("adapters (") && stdout.contains("chosen:"), "{stdout}");
    // With a GPU (lavapipe in CI, where DASHI_REQUIRE_GPU=1 makes a missing one fail), the
    // adapter list is not empty and names it.
    let Some(gpu) = dashi_gpu::gpu_or_skip("info_lists_adapters_and_writes_metrics") else { return };
    let name = dashi_core::ops::Executor::device(&gpu).device_name.clone();
    let adapters = m["results"]["adapters"].as_array().unwrap();
    assert!(!adapters.is_empty(), "{m:#}");
    assert!(adapters.iter().any(|a| a["name"] == name.as_str()), "{name} not listed: {m:#}");
    assert!(stdout.contains(&name), "{stdout}");
}

#[test]
fn atoms_encode_decode_run_threads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o =
        dashi(&["les", "--backend", "cpu", "--n", "32", "--steps", "60", "--stride", "10", "--id", "a1", "--quiet"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    let steps: [(&[&str], &str); 4] = [
        (&["encode", "--truth", "a1", "--frame", "2", "--out", "atoms.json", "--png", "atoms.png"], "atoms.json"),
        (&["decode", "--atoms", "atoms.json", "--n", "64", "--out", "omega.png"], "omega.png"),
        (&["run", "--truth", "a1", "--floats", "120", "--png-every", "3", "--out", "run"], "run/scores.csv"),
        (&["threads", "--truth", "a1", "--steps", "12", "--floats", "120", "--out", "threads"], "threads/audit.csv"),
    ];
    for (i, (args, made)) in steps.iter().enumerate() {
        let metrics_file = format!("a{i}.json");
        let mut all = vec!["atoms"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--metrics-json", &metrics_file, "--quiet"]);
        let o = dashi(&all, d);
        assert!(o.status.success(), "{all:?}: {}", stderr(&o));
        non_empty(&d.join(made));
        let m = metrics(&d.join(&metrics_file));
        assert_metrics(&m, "atoms");
        assert_eq!(m["backend_used"]["atoms"], "cpu");
        // Outputs are not overwritten without --force.
        let again: Vec<&str> = all[..all.len() - 3].to_vec();
        let o = dashi(&again, d);
        assert_eq!(o.status.code(), Some(2), "{again:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("--out"), "{}", stderr(&o));
    }
    starts_with(&d.join("atoms.png"), b"\x89PNG");
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("atoms.json")).unwrap()).unwrap();
    assert_eq!(state["format"], "dashi-atoms");
    assert!(!state["atoms"].as_array().unwrap().is_empty());
    for file in ["run/correlation.png", "run/summary.md", "run/final_atoms.json", "run/atoms_00000.png"] {
        non_empty(&d.join(file));
    }
    for file in ["threads/timeline.csv", "threads/timeline.png", "threads/summary.md"] {
        non_empty(&d.join(file));
    }
    // The audit: every residual is rounding (|change − attributed| ≤ 1e-12).
    let m = metrics(&d.join("a3.json"));
    assert!(m["results"]["worst_audit_residual"].as_f64().unwrap() <= 1e-12, "{m:#}");
    // 7 frames scored by the run, atoms and persistence each.
    let csv = std::fs::read_to_string(d.join("run/scores.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * 7, "{csv}");

    // Bad input names the flag or file.
    for (args, flag, code) in [
        (vec!["atoms", "encode", "--truth", "a1", "--threshold", "1.5", "--out", "x.json"], "--threshold", 2),
        (vec!["atoms", "decode", "--atoms", "absent.json", "--out", "x.png"], "absent.json", 2),
        (vec!["atoms", "decode", "--atoms", "atoms.json", "--n", "8", "--out", "x.png"], "--n", 2),
        (vec!["atoms", "encode", "--truth", "a1", "--frame", "99", "--out", "x.json"], "--frame", 2),
    ] {
        let o = dashi(&args, d);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{args:?}: {}", stderr(&o));
    }
    std::fs::write(d.join("broken.json"), r#"{"format": "dashi-atoms", "version": 1, "atoms": [{"sign": 0}]}"#)
        .unwrap();
    let o = dashi(&["atoms", "decode", "--atoms", "broken.json", "--out", "y.png"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("broken.json") && stderr(&o).contains("atom 0"), "{}", stderr(&o));
}
