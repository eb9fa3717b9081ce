//! The `dashi` binary end to end: success paths write what they promise, bad usage
//! exits 2 naming the flag, nothing is overwritten without `--force`, and failed runs
//! leave nothing under final names.

mod common;

use common::{assert_metrics, dashi, metrics, stderr};
use std::process::Command;

#[test]
fn les_writes_a_truth_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let o = dashi(
        &["les", "--backend", "cpu", "--n", "32", "--steps", "20", "--stride", "5", "--out", "truths", "--id", "run1"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let truth = dir.path().join("truths/run1");
    for file in ["omega.npy", "t.npy", "spectrum.npy", "diagnostics.csv", "meta.json"] {
        assert!(truth.join(file).metadata().unwrap().len() > 0, "{file} missing or empty");
    }
    let t = dashi_les::truth::Truth::open(&truth).unwrap();
    assert_eq!((t.n(), t.frame_count()), (32, 5));
    assert_eq!(t.meta().backend_used, "cpu");
    assert_eq!(t.diagnostics().last().unwrap().step, 20);
    // metrics: written once, refused the second time, replaced with --force.
    let args = ["les", "--backend", "cpu", "--n", "16", "--steps", "4", "--stride", "2", "--out", "t2"];
    let with_metrics: Vec<&str> = args.iter().copied().chain(["--metrics-json", "m.json", "--quiet"]).collect();
    let o = dashi(&with_metrics, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let m = metrics(&dir.path().join("m.json"));
    assert_metrics(&m, "les");
    assert_eq!(m["backend_used"]["solve"], "cpu");
    assert_eq!(m["results"]["ffts_per_step"], 2 * 5); // Heun, Cs = 0.17: 5 FFTs per RHS
    assert!(m["results"]["sim_time_per_wall_s"].as_f64().unwrap() > 0.0);
    let o = dashi(&with_metrics, dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--metrics-json"), "{}", stderr(&o));
    let forced: Vec<&str> = with_metrics.iter().copied().chain(["--force"]).collect();
    assert!(dashi(&forced, dir.path()).status.success());
    // The f32 CPU executor on request, reported as such.
    let f32_run: Vec<&str> = forced.iter().copied().chain(["--cpu-precision", "f32"]).collect();
    assert!(dashi(&f32_run, dir.path()).status.success());
    let m = metrics(&dir.path().join("m.json"));
    assert_eq!(m["dtype"], "f32");
    assert_eq!(m["device"]["solve"]["precision"], "f32");
}

#[test]
fn bad_usage_exits_2_and_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    for (args, flag) in [
        (vec!["les", "--n", "100"], "--n"),
        (vec!["les", "--n", "32", "--dt=-0.1"], "--dt"),
        (vec!["les", "--n", "32", "--cs", "2"], "--cs"),
        (vec!["les", "--n", "32", "--ic", "vortex"], "--ic"),
        (vec!["les", "--n", "32", "--scheme", "euler"], "--scheme"),
        (vec!["les", "--n", "32", "--dealias", "none"], "--dealias"),
        (vec!["les", "--n", "32", "--steps", "10", "--stride", "20"], "--stride"),
        (vec!["les", "--n", "32", "--id", "../escape"], "--id"),
        (vec!["les", "--backend", "cpu", "--require-gpu"], "--require-gpu"),
        (vec!["validate", "--backend", "cpu"], "--backend"),
        (vec!["les", "--backend", "tpu"], "--backend"),
        (vec!["les", "--backend", "cpu", "--cpu-precision", "f16"], "--cpu-precision"),
    ] {
        let mut all = vec!["--quiet"];
        all.splice(0..0, args.iter().copied());
        let o = dashi(&all, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{args:?} should name {flag}: {}", stderr(&o));
    }
    assert!(!dir.path().join("truths").exists(), "bad usage must not create outputs");
}

#[test]
fn an_existing_truth_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["les", "--backend", "cpu", "--n", "16", "--steps", "2", "--stride", "1", "--id", "same", "--quiet"];
    assert!(dashi(&args, dir.path()).status.success());
    let before = std::fs::read(dir.path().join("truths/same/omega.npy")).unwrap();
    let o = dashi(&args, dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("same"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.path().join("truths/same/omega.npy")).unwrap(), before);
}

#[test]
fn a_blow_up_fails_and_leaves_no_truth() {
    let dir = tempfile::tempdir().unwrap();
    // dt = 5 on N = 64 is wildly unstable: refused up front by the CFL check (exit 2,
    // naming --dt), and with the check off the run stops with the step named (exit 1).
    let args =
        ["les", "--backend", "cpu", "--n", "64", "--dt", "5", "--steps", "200", "--stride", "50", "--id", "boom"];
    let o = dashi(&args, dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--dt") && stderr(&o).contains("CFL"), "{}", stderr(&o));
    let args: Vec<&str> = args.iter().copied().chain(["--max-cfl", "0"]).collect();
    let o = dashi(&args, dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("step"), "{}", stderr(&o));
    // Only the root's lock file (docs/RELIABILITY.md) may remain.
    let left: Vec<_> = std::fs::read_dir(dir.path().join("truths"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name != dashi_les::truth::ROOT_LOCK_FILE)
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn info_reports_the_choice() {
    let dir = tempfile::tempdir().unwrap();
    let o = dashi(&["info", "--json"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["adapters"].is_array());
    assert!(v["chosen"]["used"].is_string());
    // An adapter name that matches nothing with --require-gpu fails clearly.
    let o = Command::new(env!("CARGO_BIN_EXE_dashi"))
        .args(["info", "--require-gpu"])
        .env("DASHI_ADAPTER", "no-such-adapter-anywhere")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("no-such-adapter-anywhere"), "{}", stderr(&o));
}

#[test]
fn validate_passes_on_a_gpu_at_n_32() {
    // A short gate (the full N = 64, 2000-step gate runs in .ci/run on lavapipe).
    let Some(gpu) = dashi_gpu::gpu_or_skip("validate_passes_on_a_gpu_at_n_32") else { return };
    drop(gpu);
    let dir = tempfile::tempdir().unwrap();
    let o = dashi(
        &["validate", "--n", "32", "--steps", "20", "--long-steps", "40", "--metrics-json", "v.json", "--quiet"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let m = metrics(&dir.path().join("v.json"));
    assert_metrics(&m, "validate");
    assert_eq!(m["results"]["passed"], true);
    assert!(m["results"]["rel_l2_at_steps"].as_f64().unwrap() < 1e-3);
    assert_eq!(m["results"]["curves"]["rel_l2"].as_array().unwrap().len(), 4);
}

#[test]
fn codec_commands_fit_rollout_decode_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let les =
        ["les", "--backend", "cpu", "--n", "32", "--steps", "60", "--stride", "3", "--out", "truths", "--id", "c1"];
    assert!(dashi(&les, d).status.success());
    let fit = ["fit", "--backend", "cpu", "--truth", "c1", "--k-cut", "4", "--mid-cut", "10", "--topk", "8", "--quiet"];
    let with_out: Vec<&str> = fit.iter().copied().chain(["--out", "m.dashi", "--metrics-json", "fit.json"]).collect();
    let o = dashi(&with_out, d);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = metrics(&d.join("fit.json"));
    assert_metrics(&m, "fit");
    assert_eq!(m["results"]["dim"], 2 * 24 + 4 + 2 * 8);
    // The model is not overwritten without --force (bad usage, names the flag).
    let again: Vec<&str> = fit.iter().copied().chain(["--out", "m.dashi"]).collect();
    let o = dashi(&again, d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--out"), "{}", stderr(&o));
    // A topk beyond the mid band is bad usage naming the setting.
    let o = dashi(
        &[
            "fit",
            "--backend",
            "cpu",
            "--truth",
            "c1",
            "--k-cut",
            "4",
            "--mid-cut",
            "10",
            "--topk",
            "100000",
            "--out",
            "x.dashi",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("topk"), "{}", stderr(&o));

    let o = dashi(
        &[
            "rollout",
            "--backend",
            "cpu",
            "--model",
            "m.dashi",
            "--steps",
            "100",
            "--stride",
            "50",
            "--quiet",
            "--metrics-json",
            "r.json",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let m = metrics(&d.join("r.json"));
    assert_metrics(&m, "rollout");
    assert_eq!(m["results"]["hashes"].as_array().unwrap().len(), 2);

    let o = dashi(
        &[
            "decode",
            "--backend",
            "cpu",
            "--model",
            "m.dashi",
            "--truth",
            "c1",
            "--out",
            "dec",
            "--png-every",
            "5",
            "--quiet",
            "--metrics-json",
            "d.json",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_metrics(&metrics(&d.join("d.json")), "decode");
    for file in ["scores.csv", "summary.md", "correlation.png", "spectrum.png", "triptych_00000.png"] {
        assert!(d.join("dec").join(file).metadata().unwrap().len() > 0, "{file} missing or empty");
    }
    // An existing output directory is refused without --force; nothing partial is left.
    let o = dashi(&["decode", "--backend", "cpu", "--model", "m.dashi", "--truth", "c1", "--out", "dec", "--quiet"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(std::fs::read_dir(d).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().contains(".partial-")));

    let o = dashi(
        &[
            "sweep",
            "--backend",
            "cpu",
            "--model",
            "m.dashi",
            "--truth",
            "c1",
            "--noise",
            "0,0.01",
            "--ridge",
            "1e-6,1e-2",
            "--out",
            "sw",
            "--quiet",
            "--metrics-json",
            "s.json",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_metrics(&metrics(&d.join("s.json")), "sweep");
    let runs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("sw/sweep.json")).unwrap()).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 4);
    assert!(d.join("sw/sweep.png").metadata().unwrap().len() > 0);

    // A corrupt model file fails (exit 1) naming the file.
    let mut bytes = std::fs::read(d.join("m.dashi")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xFF;
    std::fs::write(d.join("bad.dashi"), bytes).unwrap();
    let o = dashi(&["rollout", "--backend", "cpu", "--model", "bad.dashi", "--steps", "10", "--stride", "5"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.dashi"), "{}", stderr(&o));
}

#[test]
fn fit_stable_bounds_the_spectral_radius() {
    let dir = tempfile::tempdir().unwrap();
    let o = dashi(&["les", "--backend", "cpu", "--n", "32", "--steps", "200", "--stride", "5", "-q"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    for (stable, out) in [(false, "free.json"), (true, "stable.json")] {
        let mut args = vec!["fit", "--backend", "cpu", "--prior", "identity", "--out", "m.dashi", "--force", "-q"];
        args.extend(["--metrics-json", out]);
        if stable {
            args.push("--stable");
        }
        let o = dashi(&args, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let m = metrics(&dir.path().join(out));
        assert_metrics(&m, "fit");
        let rho = m["results"]["spectral_radius"].as_f64().expect("always reported");
        assert_eq!(m["parameters"]["stable"], stable);
        if stable {
            assert!(rho <= 1.0 + 1e-12, "stable fit: rho = {rho}");
        }
    }
}
