//! `cargo xtask peers`: the virtualenv, the two benchmark programs, the comparisons.

use crate::report::{self, Comparison, Context, FftContext};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Pinned peer versions, installed from PyPI into `target/peers-venv`.
const NUMPY_VERSION: &str = "2.4.6";
const THREADPOOLCTL_VERSION: &str = "3.8.0";

/// Environment variables this machine may set that make OpenBLAS pick a slower kernel
/// or blocking; removed from the NumPy process's environment only.
const OPENBLAS_OVERRIDES: [&str; 2] = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

const DIM: usize = 654;
const STRIDE: u64 = 200;

/// Problem sizes of the FFT comparison.
const FFT_SIZES: [usize; 3] = [256, 512, 1024];

/// Which comparisons to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// The linear rollout against NumPy's `z @ A`.
    Rollout,
    /// The CPU fft2 against NumPy's `np.fft.fft2`.
    Fft,
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
                        other => return Err(format!("--only takes `rollout` or `fft`, not {other:?}")),
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
}

/// Where things live: the workspace root, cargo's target directory, the venv.
#[derive(Debug)]
struct Paths {
    root: PathBuf,
    venv: PathBuf,
    rollout_script: PathBuf,
    fft_script: PathBuf,
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
    let python = ensure_venv(&paths)?;
    if opts.runs(Suite::Rollout) {
        let bench = build_example(&paths.root, "rollout_bench")?;
        run_rollout(opts, &paths, &python, &bench)?;
    }
    if opts.runs(Suite::Fft) {
        let bench = build_example(&paths.root, "fft_bench")?;
        run_fft(opts, &paths, &python, &bench)?;
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

fn step(what: &str) {
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
    eprintln!("peers: building {name} (release)");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--release", "-p", "dashi-core", "--example", name])
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
fn json_line(mut cmd: Command, what: &str) -> Result<Value, String> {
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

fn text(v: &Value, name: &str) -> String {
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
