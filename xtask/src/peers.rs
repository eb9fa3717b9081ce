//! `cargo xtask peers`: the virtualenv, the benchmark programs, the comparisons.

use crate::codec;
use crate::report::{self, Comparison, Context, FftContext};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Pinned peer versions, installed from PyPI into `target/peers-venv`.
pub(crate) const NUMPY_VERSION: &str = "2.4.6";
const THREADPOOLCTL_VERSION: &str = "3.8.0";

/// Pinned versions of the LES peer (jax-cfd on JAX's CPU backend) and of what it needs;
/// installed into the same virtualenv, together with `numpy=={NUMPY_VERSION}` so that pip
/// leaves NumPy alone. jax-cfd 0.2.1 (the newest release) runs unchanged on JAX 0.10.
const LES_PEER_PINS: [(&str, &str); 7] = [
    ("jax", "0.10.2"),
    ("jaxlib", "0.10.2"),
    ("jax-cfd", "0.2.1"),
    ("tree-math", "0.2.1"),
    ("scipy", "1.17.1"),
    ("ml_dtypes", "0.6.0"),
    ("opt_einsum", "3.4.0"),
];

/// Environment variables this machine may set that make OpenBLAS pick a slower kernel
/// or blocking; removed from the NumPy process's environment only.
const OPENBLAS_OVERRIDES: [&str; 2] = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

const DIM: usize = 654;
const STRIDE: u64 = 200;

/// Problem sizes of the FFT comparison.
const FFT_SIZES: [usize; 3] = [256, 512, 1024];

/// Grid sizes of the LES comparison.
const LES_SIZES: [usize; 2] = [128, 256];

/// Steps of the short run of ours that estimates its cost per step.
const LES_PROBE_STEPS: u64 = 50;

/// The package and binary that run our LES.
const DASHI_PACKAGE: &str = "dashi-cli";
const DASHI_BIN: &str = "dashi";

/// Environment variable naming a prebuilt `dashi` executable for the LES and codec suites.
const DASHI_LES_BIN_ENV: &str = "DASHI_LES_BIN";

/// The generated region of `docs/BENCHMARKS.md` for the LES comparison.
const LES_REGION: report::Region =
    report::Region { name: "les", heading: "## LES: dashi-les vs jax-cfd (Kolmogorov flow, CPU)" };

/// Which comparisons to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// The linear rollout against NumPy's `z @ A`.
    Rollout,
    /// The CPU fft2 against NumPy's `np.fft.fft2`.
    Fft,
    /// `dashi les --backend cpu` against jax-cfd's spectral Kolmogorov flow.
    Les,
    /// The v4 proxy codec against SZ3 (`pysz`) and ZFP (`zfpy`) at matched compression ratios.
    Codec,
}

/// Command-line options of `cargo xtask peers`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Smoke test: few steps and repeats, print only, leave `docs/BENCHMARKS.md` alone.
    pub quick: bool,
    /// Run only this suite (default: all).
    pub only: Option<Suite>,
}

impl Options {
    /// Parses the arguments after `peers`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut opts = Options { quick: false, only: None };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--quick" => opts.quick = true,
                "--only" => {
                    opts.only = Some(match it.next().map(String::as_str) {
                        Some("rollout") => Suite::Rollout,
                        Some("fft") => Suite::Fft,
                        Some("les") => Suite::Les,
                        Some("codec") => Suite::Codec,
                        other => {
                            return Err(format!("--only takes `rollout`, `fft`, `les` or `codec`, not {other:?}"));
                        }
                    })
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(opts)
    }

    fn runs(&self, suite: Suite) -> bool {
        self.only.is_none_or(|s| s == suite)
    }

    fn steps(&self) -> u64 {
        if self.quick { 2_000 } else { 20_000 }
    }

    fn repeats(&self) -> usize {
        if self.quick { 2 } else { 5 }
    }

    /// Minimum wall time of one FFT repeat, in milliseconds.
    fn fft_min_ms(&self) -> f64 {
        if self.quick { 50.0 } else { 300.0 }
    }

    /// Wall time, in seconds, that one LES run of the faster side should at least take.
    fn les_target_s(&self) -> f64 {
        if self.quick { 0.5 } else { 2.5 }
    }

    /// Runs of ours per N (the median is compared).
    fn les_runs(&self) -> usize {
        if self.quick { 1 } else { 3 }
    }
}

/// Where things live: the workspace root, cargo's target directory, the venv.
#[derive(Debug)]
pub(crate) struct Paths {
    pub(crate) root: PathBuf,
    pub(crate) target: PathBuf,
    pub(crate) venv: PathBuf,
    rollout_script: PathBuf,
    fft_script: PathBuf,
    les_script: PathBuf,
    pub(crate) codec_script: PathBuf,
}

impl Paths {
    fn discover() -> Result<Self, String> {
        let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = xtask_dir.parent().ok_or("xtask has no parent directory")?.to_path_buf();
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => root.join(dir),
            None => root.join("target"),
        };
        Ok(Paths {
            venv: target.join("peers-venv"),
            rollout_script: xtask_dir.join("peers/numpy_rollout.py"),
            fft_script: xtask_dir.join("peers/numpy_fft.py"),
            les_script: xtask_dir.join("peers/jax_cfd_les.py"),
            codec_script: xtask_dir.join("peers/codec_peers.py"),
            target,
            root,
        })
    }

    fn python(&self) -> PathBuf {
        if cfg!(windows) { self.venv.join("Scripts/python.exe") } else { self.venv.join("bin/python") }
    }
}

/// Runs the whole harness; see the crate docs.
pub fn run(opts: &Options) -> Result<(), String> {
    let paths = Paths::discover()?;
    // `DASHI_LES_BIN` names a prebuilt `dashi` executable to use instead of building one.
    let prebuilt = std::env::var_os(DASHI_LES_BIN_ENV).map(PathBuf::from);
    if opts.runs(Suite::Les) || opts.runs(Suite::Codec) {
        match &prebuilt {
            Some(bin) if !bin.is_file() => {
                return Err(format!("{DASHI_LES_BIN_ENV}={} is not a file", bin.display()));
            }
            Some(_) => {}
            // Fail before anything slow when our side of the LES comparison cannot exist yet.
            None => require_package(&paths.root, DASHI_PACKAGE)?,
        }
    }
    // The codec suite's own early check (its comparison example, or a stand-in for it).
    let codec_compare = if opts.runs(Suite::Codec) { Some(codec::Compare::locate(&paths.root)?) } else { None };
    let python = ensure_venv(&paths)?;
    if opts.runs(Suite::Rollout) {
        let bench = build_example(&paths.root, "rollout_bench")?;
        run_rollout(opts, &paths, &python, &bench)?;
    }
    if opts.runs(Suite::Fft) {
        let bench = build_example(&paths.root, "fft_bench")?;
        run_fft(opts, &paths, &python, &bench)?;
    }
    if opts.runs(Suite::Les) {
        ensure_les_peer(&paths, &python)?;
        let dashi = match prebuilt.clone() {
            Some(bin) => {
                eprintln!("peers: using {DASHI_LES_BIN_ENV}={}", bin.display());
                bin
            }
            None => build_bin(&paths.root, DASHI_PACKAGE, DASHI_BIN)?,
        };
        run_les(opts, &paths, &python, &dashi)?;
    }
    if let Some(compare) = codec_compare {
        let dashi = match prebuilt {
            Some(bin) => {
                eprintln!("peers: using {DASHI_LES_BIN_ENV}={} for the codec truth", bin.display());
                bin
            }
            None => build_bin(&paths.root, DASHI_PACKAGE, DASHI_BIN)?,
        };
        codec::run(opts, &paths, &python, &dashi, compare)?;
    }
    Ok(())
}

/// The rollout comparison: ours (plain f64/f32, stride jump) against NumPy's `z @ A`.
fn run_rollout(opts: &Options, paths: &Paths, python: &Path, bench: &Path) -> Result<(), String> {
    let steps = opts.steps();
    let repeats = opts.repeats();
    let ours =
        |dtype: &str, mode: &str| -> Result<Value, String> {
            step(&format!("ours  {mode} {dtype}"));
            let mut cmd = Command::new(bench);
            cmd.args(["--dim", &DIM.to_string(), "--steps", &steps.to_string(), "--stride", &STRIDE.to_string()])
                .args(["--repeats", &repeats.to_string(), "--dtype", dtype, "--mode", mode]);
            json_line(cmd, "rollout_bench")
        };
    let numpy = |dtype: &str| -> Result<Value, String> {
        step(&format!("numpy plain {dtype}"));
        let mut cmd = Command::new(python);
        cmd.arg(&paths.rollout_script)
            .args(["--dim", &DIM.to_string(), "--steps", &steps.to_string(), "--stride", &STRIDE.to_string()])
            .args(["--repeats", &repeats.to_string(), "--dtype", dtype]);
        for var in OPENBLAS_OVERRIDES {
            cmd.env_remove(var);
        }
        json_line(cmd, "numpy_rollout.py")
    };

    for var in OPENBLAS_OVERRIDES {
        if let Ok(value) = std::env::var(var) {
            eprintln!("peers: {var}={value} is set here; removed for the NumPy process");
        }
    }
    eprintln!("peers: D = {DIM}, {steps} steps, snapshot every {STRIDE}th state, median of {repeats} repeats");
    // Interleaved so that drift of the machine affects both sides alike.
    let ours_f64 = ours("f64", "plain")?;
    let numpy_f64 = numpy("f64")?;
    let ours_f32 = ours("f32", "plain")?;
    let numpy_f32 = numpy("f32")?;
    let ours_jump = ours("f64", "jump")?;

    let comparisons = vec![
        Comparison::new(
            "rollout_plain_f64",
            field(&ours_f64, "steps_per_s")?,
            field(&numpy_f64, "steps_per_s")?,
            "steps_per_s",
        ),
        Comparison::new(
            "rollout_plain_f32",
            field(&ours_f32, "steps_per_s")?,
            field(&numpy_f32, "steps_per_s")?,
            "steps_per_s",
        ),
        Comparison::new(
            "snapshots_jump_s200_f64",
            field(&ours_jump, "snapshots_per_s")?,
            field(&numpy_f64, "snapshots_per_s")?,
            "snapshots_per_s",
        ),
        Comparison::new(
            "snapshots_jump_s200_f64_all_in",
            field(&ours_jump, "snapshots_per_s_all_in")?,
            field(&numpy_f64, "snapshots_per_s")?,
            "snapshots_per_s",
        ),
    ];
    for c in &comparisons {
        println!("{}", c.json_line());
    }

    let blas = Blas::from_peer(&numpy_f64);
    eprintln!("peers: numpy {} with {}", text(&numpy_f64, "numpy"), blas.describe());
    if opts.quick {
        eprintln!("peers: --quick: docs/BENCHMARKS.md left unchanged");
        return Ok(());
    }
    let ctx = Context {
        cpu: report::cpu_model(),
        cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        date: report::utc_date(),
        rustc: command_line("rustc", &["--version"]).unwrap_or_else(|| "unknown rustc".into()),
        numpy: text(&numpy_f64, "numpy"),
        blas: blas.describe(),
        dim: DIM,
        steps,
        stride: STRIDE,
        repeats,
        precompute_s: field(&ours_jump, "precompute_s")?,
    };
    let doc = paths.root.join("docs/BENCHMARKS.md");
    report::update_benchmarks_md(&doc, &report::ROLLOUT, &report::rollout_region(&ctx, &comparisons))?;
    eprintln!("peers: updated the rollout region of {}", doc.display());
    Ok(())
}

/// The FFT comparison: ours (`fft_bench`, f64 c2c, all cores and one thread) against
/// NumPy's `np.fft.fft2` on complex128, interleaved per N.
fn run_fft(opts: &Options, paths: &Paths, python: &Path, bench: &Path) -> Result<(), String> {
    let repeats = opts.repeats();
    let min_ms = opts.fft_min_ms();
    let ours = |n: usize, threads: Option<usize>| -> Result<Value, String> {
        let label = threads.map_or("all cores".to_string(), |t| format!("{t} thread"));
        step(&format!("ours  fft2 c2c f64 N = {n} ({label})"));
        let mut cmd = Command::new(bench);
        cmd.args(["--sizes", &n.to_string(), "--dtypes", "f64", "--kinds", "c2c"]).args([
            "--repeats",
            &repeats.to_string(),
            "--min-ms",
            &min_ms.to_string(),
        ]);
        if let Some(t) = threads {
            cmd.args(["--threads", &t.to_string()]);
        }
        json_line(cmd, "fft_bench")
    };
    let numpy = |n: usize| -> Result<Value, String> {
        step(&format!("numpy fft2 complex128 N = {n}"));
        let mut cmd = Command::new(python);
        cmd.arg(&paths.fft_script).args(["--n", &n.to_string(), "--kind", "c2c"]).args([
            "--repeats",
            &repeats.to_string(),
            "--min-ms",
            &min_ms.to_string(),
        ]);
        json_line(cmd, "numpy_fft.py")
    };
    eprintln!("peers: fft2 c2c f64, N = {FFT_SIZES:?}, repeats of ≥ {min_ms} ms, median of {repeats}");
    let mut all_cores = Vec::new();
    let mut one_thread = Vec::new();
    let mut numpy_version = String::from("unknown");
    for n in FFT_SIZES {
        // Interleaved so that drift of the machine affects both sides alike.
        let ours_all = ours(n, None)?;
        let peer = numpy(n)?;
        let ours_one = ours(n, Some(1))?;
        numpy_version = text(&peer, "numpy");
        let peer_rate = field(&peer, "fft2_per_s")?;
        let name = format!("fft2_c2c_f64_n{n}");
        all_cores.push(Comparison::new(&name, field(&ours_all, "fft2_per_s")?, peer_rate, "fft2_per_s"));
        one_thread.push(Comparison::new(
            format!("{name}_1thread"),
            field(&ours_one, "fft2_per_s")?,
            peer_rate,
            "fft2_per_s",
        ));
    }
    let comparisons: Vec<Comparison> = all_cores.into_iter().chain(one_thread).collect();
    for c in &comparisons {
        println!("{}", c.json_line());
    }
    if opts.quick {
        eprintln!("peers: --quick: docs/BENCHMARKS.md left unchanged");
        return Ok(());
    }
    let ctx = FftContext {
        cpu: report::cpu_model(),
        cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        date: report::utc_date(),
        rustc: command_line("rustc", &["--version"]).unwrap_or_else(|| "unknown rustc".into()),
        rustfft: lock_version(&paths.root, "rustfft").unwrap_or_else(|| "unknown".into()),
        numpy: numpy_version,
        sizes: FFT_SIZES.to_vec(),
        repeats,
        min_ms,
    };
    let doc = paths.root.join("docs/BENCHMARKS.md");
    report::update_benchmarks_md(&doc, &report::FFT, &report::fft_region(&ctx, &comparisons))?;
    eprintln!("peers: updated the FFT region of {}", doc.display());
    Ok(())
}

/// One way of running ours: `dashi les` flags added to the Kolmogorov command.
#[derive(Debug)]
struct LesVariant {
    /// Short name in tables and comparison names.
    slug: &'static str,
    /// What it is, for the table.
    label: &'static str,
    /// Extra `dashi les` flags.
    flags: &'static [&'static str],
}

/// Ours, three ways: the command's defaults (Heun, the f64 reference), RK4 in f64 (the
/// same order as jax-cfd's crank_nicolson_rk4), and RK4 on the f32 CPU executor (same
/// order and same precision as the peer).
static LES_VARIANTS: [LesVariant; 3] = [
    LesVariant { slug: "heun_f64", label: "heun, f64 (defaults)", flags: &[] },
    LesVariant { slug: "rk4_f64", label: "rk4, f64", flags: &["--scheme", "rk4"] },
    LesVariant { slug: "rk4_f32", label: "rk4, f32", flags: &["--scheme", "rk4", "--cpu-precision", "f32"] },
];

/// One N and variant of the LES comparison.
#[derive(Debug)]
struct LesRow {
    n: usize,
    /// Which of [`LES_VARIANTS`] ran as ours.
    variant: &'static LesVariant,
    dt: f64,
    steps: u64,
    /// Ours, `results.sim_time_per_wall_s` of each run.
    ours_rates: Vec<f64>,
    /// Ours, `timings.solve_s` of each run.
    ours_solve_s: Vec<f64>,
    /// Ours, FFTs per step if the metrics JSON states them.
    ours_ffts: Option<f64>,
    /// jax-cfd's JSON line.
    peer: Value,
}

impl LesRow {
    fn ours_rate(&self) -> f64 {
        median(&self.ours_rates)
    }

    fn peer_rate(&self) -> f64 {
        self.peer["sim_time_per_wall_s"].as_f64().unwrap_or(f64::NAN)
    }

    fn comparison(&self) -> Comparison {
        Comparison::new(
            format!("les_kolmogorov_n{}_{}_cpu", self.n, self.variant.slug),
            self.ours_rate(),
            self.peer_rate(),
            "sim_time_per_wall_s",
        )
    }
}

/// The LES comparison: `dashi les --backend cpu` against jax-cfd's spectral Kolmogorov
/// flow (`xtask/peers/jax_cfd_les.py`), same configuration, same dt, same step count.
fn run_les(opts: &Options, paths: &Paths, python: &Path, dashi: &Path) -> Result<(), String> {
    let target_s = opts.les_target_s();
    let runs = opts.les_runs();
    let peer_repeats = opts.repeats();
    let scratch = paths.target.join("peers-les");
    let mut ours_lines: Vec<Value> = Vec::new();
    let peer = |args: &[String], what: &str| -> Result<Value, String> {
        let mut cmd = Command::new(python);
        cmd.arg(&paths.les_script).args(args).env("JAX_PLATFORMS", "cpu");
        json_line(cmd, what)
    };
    let mut ours = |n: usize, dt: f64, steps: u64, variant: &LesVariant, run: &str| -> Result<Value, String> {
        let metrics = run_dashi_les(dashi, &scratch, n, dt, steps, variant.flags, run)?;
        ours_lines.push(serde_json::json!({"n": n, "dt": dt, "steps": steps, "variant": variant.slug, "run": run,
            "metrics": metrics}));
        Ok(metrics)
    };
    eprintln!(
        "peers: LES Kolmogorov flow (kf = 4, μ = 0.1, ν0 = 1e-3, Cs = 0), N = {LES_SIZES:?}, f32 peer on the CPU; \
         steps so that the faster side runs ≥ {target_s} s; ours median of {runs}, jax-cfd median of {peer_repeats}"
    );
    let load_start = load_average();
    if let Some(load) = load_start.as_deref() {
        let one_minute: f64 = load.split_whitespace().next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        if one_minute > 0.5 * cores as f64 {
            eprintln!(
                "peers: warning: load average {load} on {cores} cores before the LES suite: other work is running, \
                 and both sides use every core, so the timings will be noisy"
            );
        }
    }
    let mut rows = Vec::new();
    for n in LES_SIZES {
        let n_arg = n.to_string();
        step(&format!("jax-cfd dt for N = {n}"));
        let dt_line = peer(&["--n".into(), n_arg.clone(), "--print-dt".into()], "jax_cfd_les.py --print-dt")?;
        let dt = field(&dt_line, "dt")?;
        if dt <= 0.0 {
            return Err(format!("jax_cfd_les.py reported dt = {dt}"));
        }

        step(&format!("ours  N = {n} probe ({LES_PROBE_STEPS} steps)"));
        let probe = ours(n, dt, LES_PROBE_STEPS, &LES_VARIANTS[0], "probe")?;
        let ours_s_per_step = path_field(&probe, &["timings", "solve_s"])? / LES_PROBE_STEPS as f64;
        step(&format!("jax-cfd N = {n} calibration"));
        let cal = peer(&["--n".into(), n_arg.clone(), "--calibrate".into()], "jax_cfd_les.py --calibrate")?;
        let peer_s_per_step = field(&cal, "s_per_step")?;
        let steps = les_steps(target_s, ours_s_per_step.min(peer_s_per_step));
        eprintln!(
            "peers: N = {n}: dt = {dt}, ≈ {:.2} ms/step ours, {:.2} ms/step jax-cfd → {steps} steps",
            ours_s_per_step * 1e3,
            peer_s_per_step * 1e3
        );

        // Interleaved (each variant once, jax-cfd, each variant again …) so that drift
        // hits every side alike.
        let mut metrics: Vec<Vec<Value>> = vec![Vec::new(); LES_VARIANTS.len()];
        for (v, variant) in LES_VARIANTS.iter().enumerate() {
            step(&format!("ours  N = {n} {} run 1/{runs}", variant.label));
            metrics[v].push(ours(n, dt, steps, variant, "1")?);
        }
        step(&format!("jax-cfd N = {n}, {steps} steps, {peer_repeats} repeats"));
        let args = ["--n", &n_arg, "--steps", &steps.to_string(), "--repeats", &peer_repeats.to_string()];
        let peer_line = peer(&args.map(String::from), "jax_cfd_les.py")?;
        for run in 2..=runs {
            for (v, variant) in LES_VARIANTS.iter().enumerate() {
                step(&format!("ours  N = {n} {} run {run}/{runs}", variant.label));
                metrics[v].push(ours(n, dt, steps, variant, &run.to_string())?);
            }
        }
        if peer_line["finite"] != Value::Bool(true) || field(&peer_line, "sim_time_per_wall_s").is_err() {
            return Err(format!("jax_cfd_les.py gave no finite timed run: {peer_line}"));
        }
        for (variant, metrics) in LES_VARIANTS.iter().zip(&metrics) {
            let mut ours_rates = Vec::new();
            let mut ours_solve_s = Vec::new();
            for m in metrics {
                let rate = path_field(m, &["results", "sim_time_per_wall_s"])?;
                let solve = path_field(m, &["timings", "solve_s"])?;
                let expect = steps as f64 * dt / solve;
                if (rate / expect - 1.0).abs() > 0.02 {
                    eprintln!(
                        "peers: warning: ours reports sim_time_per_wall_s = {rate} but steps·dt / solve_s = {expect}"
                    );
                }
                ours_rates.push(rate);
                ours_solve_s.push(solve);
            }
            let ours_ffts = metrics.iter().find_map(|m| m.pointer("/results/ffts_per_step").and_then(Value::as_f64));
            rows.push(LesRow { n, variant, dt, steps, ours_rates, ours_solve_s, ours_ffts, peer: peer_line.clone() });
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);

    let comparisons: Vec<Comparison> = rows.iter().map(LesRow::comparison).collect();
    for c in &comparisons {
        println!("{}", c.json_line());
    }
    let table = les_table(&rows);
    eprint!("\n{table}");
    let peer0 = &rows[0].peer;
    eprintln!(
        "peers: jax-cfd {} (tree-math {}) on JAX {} / jaxlib {}, {}; jax-cfd FFTs per step: {}",
        text(peer0, "jax_cfd"),
        text(peer0, "tree_math"),
        text(peer0, "jax"),
        text(peer0, "jaxlib"),
        text(peer0, "device"),
        peer0["ffts_per_step_note"].as_str().unwrap_or("unknown"),
    );
    if opts.quick {
        eprintln!("peers: --quick: docs/BENCHMARKS.md and docs/bench left unchanged");
        return Ok(());
    }

    let cpu = report::cpu_model();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let date = report::utc_date();
    let rustc = command_line("rustc", &["--version"]).unwrap_or_else(|| "unknown rustc".into());
    let day = command_line("date", &["-u", "+%Y-%m-%d"]).unwrap_or_else(|| "unknown-date".into());
    let dir = unique_dir(&paths.root.join("docs/bench"), &format!("{}-{day}-les", machine_slug(&cpu, cores)));
    let machine = format!(
        "machine: {cpu}, {cores} cores (available parallelism)\ndate: {date}\nrust: {rustc}\n\
         load average (1, 5, 15 min) at the start: {}; at the end: {}\n\
         dashi: {}\npeer: jax-cfd {} (tree-math {}), JAX {} / jaxlib {}, NumPy {}, Python {}, {}\n",
        load_start.as_deref().unwrap_or("unknown"),
        load_average().as_deref().unwrap_or("unknown"),
        dashi.display(),
        text(peer0, "jax_cfd"),
        text(peer0, "tree_math"),
        text(peer0, "jax"),
        text(peer0, "jaxlib"),
        text(peer0, "numpy"),
        text(peer0, "python"),
        text(peer0, "device"),
    );
    let jsonl = |lines: Vec<String>| lines.into_iter().map(|l| l + "\n").collect::<String>();
    let files = [
        ("machine.txt", machine),
        ("table.txt", table),
        ("les.jsonl", jsonl(comparisons.iter().map(Comparison::json_line).collect())),
        ("jax_cfd.jsonl", jsonl(rows.iter().map(|r| r.peer.to_string()).collect())),
        ("dashi.jsonl", jsonl(ours_lines.iter().map(Value::to_string).collect())),
    ];
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, body) in files {
        let path = dir.join(name);
        std::fs::write(&path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    eprintln!("peers: raw JSON lines in {}", dir.display());

    let rel_dir = dir.strip_prefix(&paths.root).unwrap_or(&dir).display().to_string();
    let region = les_region(&LesContext { cpu, cores, date, rustc, runs, peer_repeats, target_s, raw: rel_dir }, &rows);
    let doc = paths.root.join("docs/BENCHMARKS.md");
    report::update_benchmarks_md(&doc, &LES_REGION, &region)?;
    eprintln!("peers: updated the LES region of {}", doc.display());
    Ok(())
}

/// Runs `dashi les --backend cpu` on the Kolmogorov configuration for `steps` steps (one
/// snapshot at the end) and returns its metrics JSON.
fn run_dashi_les(
    dashi: &Path,
    scratch: &Path,
    n: usize,
    dt: f64,
    steps: u64,
    flags: &[&str],
    run: &str,
) -> Result<Value, String> {
    let dir = scratch.join(format!("n{n}-{}-{run}", flags.join("")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let metrics = dir.join("metrics.json");
    let (n, steps) = (n.to_string(), steps.to_string());
    let status = Command::new(dashi)
        .args(["les", "--backend", "cpu", "--ic", "kolmogorov", "--n", &n, "--dt", &format!("{dt}")])
        .args(flags)
        .args(["--steps", &steps, "--stride", &steps, "--seed", "0", "--out"])
        .arg(dir.join("out"))
        .arg("--metrics-json")
        .arg(&metrics)
        .arg("--quiet")
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .map_err(|e| format!("cannot run {}: {e}", dashi.display()))?;
    if !status.success() {
        return Err(format!("`dashi les` failed ({status}) at N = {n}, {steps} steps"));
    }
    let text = std::fs::read_to_string(&metrics)
        .map_err(|e| format!("`dashi les` wrote no metrics JSON {}: {e}", metrics.display()))?;
    let value = serde_json::from_str(&text).map_err(|e| format!("invalid metrics JSON {}: {e}", metrics.display()))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(value)
}

/// Steps so that a run at `s_per_step` takes at least `target_s`: a multiple of 10, ≥ 10.
fn les_steps(target_s: f64, s_per_step: f64) -> u64 {
    if !(s_per_step.is_finite() && s_per_step > 0.0) {
        return 1_000;
    }
    let steps = (target_s / s_per_step / 10.0).ceil().max(1.0) * 10.0;
    steps.min(1e7) as u64
}

/// The median of a non-empty slice (mean of the two middle values for even lengths).
fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        len if len % 2 == 1 => v[len / 2],
        len => 0.5 * (v[len / 2 - 1] + v[len / 2]),
    }
}

/// The plain-text table printed at the end of the LES suite.
fn les_table(rows: &[LesRow]) -> String {
    let mut s = format!(
        "{:>5} {:>22} {:>12} {:>6} {:>16} {:>19} {:>7} {:>10} {:>13}\n",
        "N", "ours", "dt", "steps", "ours sim-time/s", "jax-cfd sim-time/s", "ratio", "ours FFT", "jax-cfd FFT"
    );
    for r in rows {
        let ours_ffts = r.ours_ffts.map_or("n/a".to_string(), |f| f.to_string());
        s.push_str(&format!(
            "{:>5} {:>22} {:>12.6e} {:>6} {:>16.4} {:>19.4} {:>7.3} {:>10} {:>13}\n",
            r.n,
            r.variant.label,
            r.dt,
            r.steps,
            r.ours_rate(),
            r.peer_rate(),
            r.ours_rate() / r.peer_rate(),
            ours_ffts,
            r.peer["ffts_per_step"].to_string(),
        ));
    }
    s.push_str("(sim-time/s = simulated time per wall second; ratio = ours / jax-cfd, above 1 = ours faster; FFT = FFTs per step)\n");
    for r in rows {
        let all: Vec<String> = r.ours_rates.iter().map(|x| format!("{x:.4}")).collect();
        let solve: Vec<String> = r.ours_solve_s.iter().map(|x| format!("{x:.3}")).collect();
        s.push_str(&format!(
            "N = {} ({}): ours runs {} sim-time/s (solve {} s); jax-cfd wall {} s (median), all {}\n",
            r.n,
            r.variant.label,
            all.join(", "),
            solve.join(", "),
            fmt_num(&r.peer["wall_s"]),
            r.peer["wall_s_all"]
                .as_array()
                .map(|a| a.iter().map(fmt_num).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
        ));
    }
    s
}

fn fmt_num(v: &Value) -> String {
    v.as_f64().map_or_else(|| v.to_string(), |x| format!("{x:.3}"))
}

/// What the LES region says about the run besides the table.
#[derive(Debug)]
struct LesContext {
    cpu: String,
    cores: usize,
    date: String,
    rustc: String,
    runs: usize,
    peer_repeats: usize,
    target_s: f64,
    raw: String,
}

/// The Markdown of the LES region (markers excluded), ending in a newline.
fn les_region(ctx: &LesContext, rows: &[LesRow]) -> String {
    let p = &rows[0].peer;
    let mut s = report::region_preamble(&ctx.cpu, ctx.cores, &ctx.date, &ctx.rustc);
    s.push_str(&format!(
        "- Peer: jax-cfd {} (tree-math {}) on JAX {} / jaxlib {}, `JAX_PLATFORMS=cpu` ({}), float32 \
         (`xtask/peers/jax_cfd_les.py`)\n",
        text(p, "jax_cfd"),
        text(p, "tree_math"),
        text(p, "jax"),
        text(p, "jaxlib"),
        text(p, "device"),
    ));
    s.push_str(&format!(
        "- Workload: Kolmogorov flow on [0, 2π)², forcing wavenumber kf = 4, drag μ = 0.1, ν0 = 1e-3, Cs = 0. \
         jax-cfd: `spectral.equations.NavierStokes2D` with `kolmogorov_forcing(k=4)` and 2/3 dealiasing \
         (= `ForcedNavierStokes2D`, Kochkov et al. 2021), `crank_nicolson_rk4`, the whole loop one jitted \
         `lax.scan`, compiled and warmed up before timing, median of {} repeats. Ours: `dashi les --backend cpu \
         --ic kolmogorov` three ways (defaults: Heun on the f64 reference; `--scheme rk4`; `--scheme rk4 \
         --cpu-precision f32`), solve time only (`timings.solve_s`), median of {} runs each. Both at jax-cfd's \
         `stable_time_step(max_velocity = 7, max_courant_number = 0.5)` and the same number of steps, chosen so \
         that the faster side runs ≥ {} s; runs interleaved (each of ours, jax-cfd, each of ours, each of ours)\n\n",
        ctx.peer_repeats, ctx.runs, ctx.target_s
    ));
    s.push_str(
        "| N | ours | dt | steps | ours sim-time/s | jax-cfd sim-time/s | ratio (ours/jax-cfd) | FFTs/step ours | \
         FFTs/step jax-cfd |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {:.4e} | {} | {:.4} | {:.4} | {:.2} | {} | {} |\n",
            r.n,
            r.variant.label,
            r.dt,
            r.steps,
            r.ours_rate(),
            r.peer_rate(),
            r.ours_rate() / r.peer_rate(),
            r.ours_ffts.map_or("n/a".to_string(), |f| f.to_string()),
            r.peer["ffts_per_step"],
        ));
    }
    s.push('\n');
    s.push_str(&format!(
        "- sim-time/s: simulated time per wall-clock second (steps · dt / wall). Issue target on this machine: \
         ratio ≥ 1.0 at N = 128 and 256.\n\
         - jax-cfd FFTs per step: {}\n\
         - Raw JSON lines (ours' metrics, jax-cfd's lines, the comparisons): `{}/`\n",
        p["ffts_per_step_note"].as_str().unwrap_or("unknown"),
        ctx.raw
    ));
    s
}

/// The 1-, 5- and 15-minute load averages from `/proc/loadavg`.
pub(crate) fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    (fields.len() == 3).then(|| fields.join(" "))
}

/// `cpu` as a lowercase file-name slug without vendor noise, with the core count:
/// "Intel(R) Xeon(R) Processor", 2 → "intel-xeon-2c".
pub(crate) fn machine_slug(cpu: &str, cores: usize) -> String {
    let cpu = cpu.split('@').next().unwrap_or(cpu).to_lowercase().replace("(r)", " ").replace("(tm)", " ");
    let words: Vec<&str> = cpu
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !["cpu", "processor", "core"].contains(w) && !w.ends_with("-core"))
        .collect();
    let name = if words.is_empty() { "cpu".to_string() } else { words.join("-") };
    format!("{name}-{cores}c")
}

/// `parent/name`, or `parent/name-2`, `-3`, … if that exists already.
pub(crate) fn unique_dir(parent: &Path, name: &str) -> PathBuf {
    let first = parent.join(name);
    if !first.exists() {
        return first;
    }
    (2..).map(|i| parent.join(format!("{name}-{i}"))).find(|p| !p.exists()).unwrap_or(first)
}

/// `cargo metadata --no-deps` of the workspace.
pub(crate) fn cargo_metadata(root: &Path) -> Result<Value, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo metadata failed ({})", out.status));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata printed invalid JSON: {e}"))
}

/// Fails with a clear message unless the workspace has the package `package`.
fn require_package(root: &Path, package: &str) -> Result<(), String> {
    let meta = cargo_metadata(root)?;
    let found = meta["packages"].as_array().is_some_and(|ps| ps.iter().any(|p| p["name"] == package));
    if found {
        Ok(())
    } else {
        Err(format!(
            "the LES and codec suites run `{DASHI_BIN} les` from the package `{package}`, which this workspace does \
             not have yet (`cargo metadata` lists no such package). Set {DASHI_LES_BIN_ENV}=/path/to/{DASHI_BIN} to \
             use a prebuilt one, or run `cargo xtask peers --only rollout` / `--only fft` meanwhile"
        ))
    }
}

/// Installs the pinned LES peer (jax-cfd on JAX's CPU backend) into the virtualenv
/// unless exactly those versions are present.
fn ensure_les_peer(paths: &Paths, python: &Path) -> Result<(), String> {
    let names: Vec<&str> = LES_PEER_PINS.iter().map(|(name, _)| *name).collect();
    let want: Vec<&str> = LES_PEER_PINS.iter().map(|(_, version)| *version).collect();
    let probe =
        format!("import importlib.metadata as m; print(' '.join(m.version(d) for d in {names:?}))", names = names);
    let have = Command::new(python).args(["-c", &probe]).stderr(Stdio::null()).output().ok();
    let installed =
        have.is_some_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == want.join(" "));
    let pins: Vec<String> = LES_PEER_PINS
        .iter()
        .map(
            |(name, version)| {
                if *name == "jax" { format!("jax[cpu]=={version}") } else { format!("{name}=={version}") }
            },
        )
        .collect();
    if installed {
        eprintln!("peers: virtualenv has {}", pins.join(", "));
        return Ok(());
    }
    eprintln!("peers: installing {} from PyPI", pins.join(" "));
    let status = Command::new(python)
        .args(["-m", "pip", "install", "--disable-pip-version-check"])
        .args(&pins)
        .arg(format!("numpy=={NUMPY_VERSION}"))
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .map_err(|e| format!("cannot run pip in {}: {e}", paths.venv.display()))?;
    if !status.success() {
        return Err(format!("pip install of the LES peer into {} failed ({status})", paths.venv.display()));
    }
    Ok(())
}

/// A positive, finite number at `path` (object keys) in a JSON value.
fn path_field(v: &Value, path: &[&str]) -> Result<f64, String> {
    let mut at = v;
    for key in path {
        at = &at[*key];
    }
    match at.as_f64() {
        Some(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`dashi les` metrics JSON lacks a positive `{}`: {v}", path.join("."))),
    }
}

/// The version of `package` recorded in the workspace's `Cargo.lock`.
fn lock_version(root: &Path, package: &str) -> Option<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).ok()?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"") {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_string());
        }
    }
    None
}

pub(crate) fn step(what: &str) {
    eprintln!("peers: running {what} …");
}

/// Creates the virtualenv if missing and installs the pinned peers unless present.
fn ensure_venv(paths: &Paths) -> Result<PathBuf, String> {
    let python = paths.python();
    if !python.exists() {
        eprintln!("peers: creating virtualenv {}", paths.venv.display());
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&paths.venv)
            .status()
            .map_err(|e| format!("cannot run python3 (needed to create the virtualenv): {e}"))?;
        if !status.success() {
            return Err(format!("python3 -m venv {} failed ({status})", paths.venv.display()));
        }
    }
    let want = format!("{NUMPY_VERSION} {THREADPOOLCTL_VERSION}");
    let probe = "import numpy, threadpoolctl; print(numpy.__version__, threadpoolctl.__version__)";
    let have = Command::new(&python).args(["-c", probe]).stderr(Stdio::null()).output().ok();
    let installed = have.is_some_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == want);
    if installed {
        eprintln!("peers: virtualenv has numpy {NUMPY_VERSION}, threadpoolctl {THREADPOOLCTL_VERSION}");
        return Ok(python);
    }
    eprintln!("peers: installing numpy=={NUMPY_VERSION} threadpoolctl=={THREADPOOLCTL_VERSION} from PyPI");
    let status = Command::new(&python)
        .args(["-m", "pip", "install", "--disable-pip-version-check"])
        .args([format!("numpy=={NUMPY_VERSION}"), format!("threadpoolctl=={THREADPOOLCTL_VERSION}")])
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .map_err(|e| format!("cannot run pip in {}: {e}", paths.venv.display()))?;
    if !status.success() {
        return Err(format!("pip install into {} failed ({status})", paths.venv.display()));
    }
    Ok(python)
}

/// Builds `dashi-core`'s example `name` in release and returns its executable, as cargo
/// reports it.
fn build_example(root: &Path, name: &str) -> Result<PathBuf, String> {
    build_artifact(root, &["-p", "dashi-core", "--example", name], name)
}

/// Builds the binary `name` of `package` in release and returns its executable.
pub(crate) fn build_bin(root: &Path, package: &str, name: &str) -> Result<PathBuf, String> {
    build_artifact(root, &["-p", package, "--bin", name], name)
}

/// `cargo build --release ARGS` and the executable of the artifact `name`, as cargo
/// reports it (so `CARGO_TARGET_DIR` is honoured).
pub(crate) fn build_artifact(root: &Path, args: &[&str], name: &str) -> Result<PathBuf, String> {
    eprintln!("peers: building {name} (release)");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--release"])
        .args(args)
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo build of {name} failed ({})", out.status));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == name)
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| format!("cargo built no {name} executable"))
}

/// Runs `cmd` (stderr passed through) and parses the last non-empty stdout line as JSON.
pub(crate) fn json_line(mut cmd: Command, what: &str) -> Result<Value, String> {
    let out = cmd.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{what} failed ({})", out.status));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().rev().find(|l| !l.trim().is_empty()).ok_or(format!("{what} printed nothing"))?;
    serde_json::from_str(line).map_err(|e| format!("{what} printed invalid JSON ({e}): {line}"))
}

/// A positive, finite number field of a benchmark's JSON line.
fn field(v: &Value, name: &str) -> Result<f64, String> {
    match v.get(name).and_then(Value::as_f64) {
        Some(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!("benchmark output lacks a valid `{name}`: {v}")),
    }
}

pub(crate) fn text(v: &Value, name: &str) -> String {
    v.get(name).and_then(Value::as_str).unwrap_or("unknown").to_string()
}

/// The BLAS library NumPy uses, as threadpoolctl reported it.
#[derive(Debug)]
struct Blas {
    api: String,
    version: String,
    kernel: String,
    threads: String,
}

impl Blas {
    fn from_peer(v: &Value) -> Self {
        let b = &v["blas"];
        let s = |k: &str| match &b[k] {
            Value::Null => "unknown".to_string(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Blas { api: s("internal_api"), version: s("version"), kernel: s("architecture"), threads: s("num_threads") }
    }

    fn describe(&self) -> String {
        format!("{} {} (kernel {}, {} threads)", self.api, self.version, self.kernel, self.threads)
    }
}

/// First line of a command's stdout, if it ran successfully.
pub fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).stderr(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8_lossy(&out.stdout).lines().next()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_les_parses() {
        let opts = Options::parse(&["--only".into(), "les".into()]).unwrap();
        assert_eq!(opts.only, Some(Suite::Les));
        assert!(opts.runs(Suite::Les) && !opts.runs(Suite::Fft));
        assert!(Options::parse(&["--only".into(), "lbm".into()]).is_err());
        let opts = Options::parse(&["--quick".into(), "--only".into(), "codec".into()]).unwrap();
        assert!(opts.quick && opts.runs(Suite::Codec) && !opts.runs(Suite::Les));
        assert!(Options::parse(&[]).unwrap().runs(Suite::Codec), "codec is part of the default run");
    }

    #[test]
    fn les_steps_reach_the_target_in_tens() {
        assert_eq!(les_steps(2.5, 0.003), 840);
        assert_eq!(les_steps(2.5, 10.0), 10);
        assert_eq!(les_steps(2.5, 0.0), 1_000);
        assert_eq!(les_steps(2.5, f64::NAN), 1_000);
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn machine_slugs() {
        assert_eq!(machine_slug("Intel(R) Xeon(R) Processor", 2), "intel-xeon-2c");
        assert_eq!(machine_slug("AMD EPYC 7B13 64-Core Processor", 16), "amd-epyc-7b13-64-16c");
        assert_eq!(machine_slug("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", 12), "intel-i7-8700-12c");
        assert_eq!(machine_slug("", 1), "cpu-1c");
    }

    #[test]
    fn les_region_and_table_show_every_row() {
        let peer = |n: usize, rate: f64| {
            serde_json::json!({"n": n, "sim_time_per_wall_s": rate, "wall_s": 2.0, "wall_s_all": [2.0, 2.1],
                "ffts_per_step": 27, "ffts_per_step_note": "27 = 5 x (4 IRFFT + 1 RFFT) + 2 RFFT",
                "jax_cfd": "0.2.1", "tree_math": "0.2.1", "jax": "0.10.2", "jaxlib": "0.10.2", "device": "cpu: cpu"})
        };
        let rows = vec![
            LesRow {
                n: 128,
                variant: &LES_VARIANTS[0],
                dt: 0.0035,
                steps: 800,
                ours_rates: vec![2.0, 3.0, 2.5],
                ours_solve_s: vec![1.4, 0.9, 1.1],
                ours_ffts: Some(16.0),
                peer: peer(128, 1.25),
            },
            LesRow {
                n: 256,
                variant: &LES_VARIANTS[2],
                dt: 0.00175,
                steps: 220,
                ours_rates: vec![0.2],
                ours_solve_s: vec![1.9],
                ours_ffts: None,
                peer: peer(256, 0.16),
            },
        ];
        assert_eq!(rows[0].comparison().ratio(), 2.0);
        let ctx = LesContext {
            cpu: "Some CPU".into(),
            cores: 2,
            date: "today".into(),
            rustc: "rustc 1".into(),
            runs: 3,
            peer_repeats: 5,
            target_s: 2.5,
            raw: "docs/bench/x-les".into(),
        };
        let region = les_region(&ctx, &rows);
        assert!(
            region.contains("| 128 | heun, f64 (defaults) | 3.5000e-3 | 800 | 2.5000 | 1.2500 | 2.00 | 16 | 27 |"),
            "{region}"
        );
        assert!(
            region.contains("| 256 | rk4, f32 | 1.7500e-3 | 220 | 0.2000 | 0.1600 | 1.25 | n/a | 27 |"),
            "{region}"
        );
        assert!(region.contains("`docs/bench/x-les/`") && region.ends_with('\n'));
        let table = les_table(&rows);
        assert!(table.lines().nth(1).is_some_and(|l| l.contains("2.000")), "{table}");
    }

    #[test]
    fn nested_fields() {
        let v = serde_json::json!({"results": {"sim_time_per_wall_s": 1.5}, "timings": {"solve_s": 0.0}});
        assert_eq!(path_field(&v, &["results", "sim_time_per_wall_s"]).unwrap(), 1.5);
        assert!(path_field(&v, &["timings", "solve_s"]).is_err());
        assert!(path_field(&v, &["nope", "x"]).is_err());
    }
}
