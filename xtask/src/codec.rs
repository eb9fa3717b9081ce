//! `cargo xtask peers --only codec`: the v4 proxy codec (`dashi-codec`) against SZ3
//! (`pysz`) and ZFP (`zfpy`) at matched compression ratios (docs/DESIGN.md §6, §8).
//!
//! 1. makes a truth with `dashi les --ic mcwilliams --n 128 --seed 0 --backend cpu` under
//!    `target/peers-codec/truths/<id>`, id `codec-peers-<UTC date>-n128-<steps>x<stride>`
//!    (reused when it exists with the same N, IC, seed, steps and stride);
//! 2. installs pinned `pysz` and `zfpy` into the peers' virtualenv, each on its own: one
//!    that does not install is reported by the script as unavailable, and its rows say why;
//! 3. runs `xtask/peers/codec_peers.py` on the truth's `omega.npy`, which finds per
//!    (method, target ratio) the error bound whose achieved ratio is the smallest one at or
//!    above the target and writes the decompressed frames and `peers.json` to
//!    `target/peers-codec/peers/` (emptied first);
//! 4. runs `dashi-codec`'s example `codec_compare --truth DIR --frames SPEC --peers DIR
//!    --ratios 20,50,100` (built in release; `DASHI_CODEC_COMPARE=/path/to/exe` runs that
//!    instead), which scores ours and every peer entry with one implementation and prints
//!    one JSON line per (method, ratio): `method`, `target_ratio`, `achieved_ratio`,
//!    `rel_l2_mean`, `rel_l2_max`, `lsd_mean`, `corr_mean`, `encode_s`, `decode_s`, `note`;
//! 5. prints those lines (normalised, the peers' unavailable ones added) on stdout and a
//!    table on stderr; without `--quick`, writes `machine.txt`, `table.txt`, `codec.jsonl`
//!    (codec_compare's lines as printed), `peers.json` and `truth_meta.json` to
//!    `docs/bench/<cpu>-<cores>c-<date>-codec/` and rewrites the region between
//!    `<!-- peers:codec:begin -->` and `<!-- peers:codec:end -->` of `docs/BENCHMARKS.md`.

use crate::peers::{self, Options, Paths};
use crate::report;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Pinned peers: (PyPI distribution, version, method name in `peers.json`).
const CODEC_PEER_PINS: [(&str, &str, &str); 2] = [("pysz", "1.1.0", "sz3"), ("zfpy", "1.0.1.post0", "zfp")];

/// The package and example that score every method.
const COMPARE_PACKAGE: &str = "dashi-codec";
const COMPARE_EXAMPLE: &str = "codec_compare";

/// Environment variable naming an executable that replaces the `codec_compare` example.
const COMPARE_ENV: &str = "DASHI_CODEC_COMPARE";

/// Our method's name in `codec_compare`'s lines; listed first in each ratio's rows.
const OURS: &str = "dashi-v4";

/// Target compression ratios.
const RATIOS: [u32; 3] = [20, 50, 100];

/// The truth: grid, initial condition, seed.
const TRUTH_N: usize = 128;
const TRUTH_IC: &str = "mcwilliams";
const TRUTH_SEED: u64 = 0;

/// The generated region of `docs/BENCHMARKS.md`.
const CODEC_REGION: report::Region =
    report::Region { name: "codec", heading: "## Codec: dashi-v4 vs SZ3 and ZFP (matched compression ratios)" };

/// Sizes of one run of the suite.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    /// LES steps of the truth.
    steps: u64,
    /// Steps between stored frames (frames: steps / stride + 1).
    stride: u64,
    /// The compared frames, `a:b[:s]` half-open, given to both the script and codec_compare.
    frames: &'static str,
    /// Timed runs of each peer's chosen setting (median).
    peer_repeats: usize,
    /// Error bounds the peers' search tries per (method, ratio).
    max_evals: usize,
}

impl Plan {
    fn new(quick: bool) -> Self {
        if quick {
            Plan { steps: 400, stride: 10, frames: "20:41", peer_repeats: 1, max_evals: 24 }
        } else {
            Plan { steps: 4000, stride: 20, frames: "100:201", peer_repeats: 3, max_evals: 40 }
        }
    }

    fn truth_frames(&self) -> u64 {
        self.steps / self.stride + 1
    }

    fn truth_id(&self, day: &str) -> String {
        format!("codec-peers-{day}-n{TRUTH_N}-{}x{}", self.steps, self.stride)
    }

    fn ratios_arg() -> String {
        RATIOS.map(|r| r.to_string()).join(",")
    }
}

/// How the scores are computed: `dashi-codec`'s example, or an executable named by
/// `DASHI_CODEC_COMPARE`.
#[derive(Debug)]
pub enum Compare {
    Example,
    Prebuilt(PathBuf),
}

impl Compare {
    /// Fails early, with a message, when there is nothing to score with.
    pub fn locate(root: &Path) -> Result<Self, String> {
        if let Some(exe) = std::env::var_os(COMPARE_ENV).map(PathBuf::from) {
            if !exe.is_file() {
                return Err(format!("{COMPARE_ENV}={} is not a file", exe.display()));
            }
            return Ok(Compare::Prebuilt(exe));
        }
        let meta = peers::cargo_metadata(root)?;
        if has_example(&meta, COMPARE_PACKAGE, COMPARE_EXAMPLE) {
            Ok(Compare::Example)
        } else {
            Err(format!(
                "the codec suite scores every method with the example `{COMPARE_EXAMPLE}` of the package \
                 `{COMPARE_PACKAGE}`, which this workspace does not have yet (`cargo metadata` lists no such \
                 example). Set {COMPARE_ENV}=/path/to/exe to use another executable with the same command line"
            ))
        }
    }

    fn executable(&self, root: &Path) -> Result<PathBuf, String> {
        match self {
            Compare::Example => {
                peers::build_artifact(root, &["-p", COMPARE_PACKAGE, "--example", COMPARE_EXAMPLE], COMPARE_EXAMPLE)
            }
            Compare::Prebuilt(exe) => {
                eprintln!("peers: using {COMPARE_ENV}={}", exe.display());
                Ok(exe.clone())
            }
        }
    }
}

/// Whether `cargo metadata` lists an example `example` of `package`.
fn has_example(meta: &Value, package: &str, example: &str) -> bool {
    meta["packages"].as_array().is_some_and(|ps| {
        ps.iter().filter(|p| p["name"] == package).any(|p| {
            p["targets"].as_array().is_some_and(|ts| {
                ts.iter().any(|t| {
                    t["name"] == example && t["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "example"))
                })
            })
        })
    })
}

/// One (method, target ratio) row: a line of `codec_compare`, or a peer that could not run.
#[derive(Debug, Clone, PartialEq)]
struct CodecRow {
    method: String,
    target_ratio: f64,
    achieved_ratio: Option<f64>,
    rel_l2_mean: Option<f64>,
    rel_l2_max: Option<f64>,
    lsd_mean: Option<f64>,
    corr_mean: Option<f64>,
    encode_s: Option<f64>,
    decode_s: Option<f64>,
    note: String,
}

impl CodecRow {
    /// A `codec_compare` line; `method` and a finite `target_ratio` are required, the
    /// other numbers may be null or missing.
    fn from_json(v: &Value) -> Result<Self, String> {
        let method = v["method"].as_str().ok_or_else(|| format!("codec_compare line without `method`: {v}"))?;
        let target_ratio = v["target_ratio"]
            .as_f64()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("codec_compare line without a numeric `target_ratio`: {v}"))?;
        let num = |k: &str| v[k].as_f64().filter(|x| x.is_finite());
        Ok(CodecRow {
            method: method.to_string(),
            target_ratio,
            achieved_ratio: num("achieved_ratio"),
            rel_l2_mean: num("rel_l2_mean"),
            rel_l2_max: num("rel_l2_max"),
            lsd_mean: num("lsd_mean"),
            corr_mean: num("corr_mean"),
            encode_s: num("encode_s"),
            decode_s: num("decode_s"),
            note: v["note"].as_str().unwrap_or("").to_string(),
        })
    }

    fn unavailable(method: &str, target_ratio: f64, reason: &str) -> Self {
        CodecRow {
            method: method.to_string(),
            target_ratio,
            achieved_ratio: None,
            rel_l2_mean: None,
            rel_l2_max: None,
            lsd_mean: None,
            corr_mean: None,
            encode_s: None,
            decode_s: None,
            note: format!("unavailable: {reason}"),
        }
    }

    /// The contract's fields, in its order (null for missing numbers).
    fn json_line(&self) -> String {
        let n = |x: Option<f64>| x.map_or(Value::Null, Value::from);
        format!(
            "{{\"method\":{},\"target_ratio\":{},\"achieved_ratio\":{},\"rel_l2_mean\":{},\"rel_l2_max\":{},\
             \"lsd_mean\":{},\"corr_mean\":{},\"encode_s\":{},\"decode_s\":{},\"note\":{}}}",
            Value::from(self.method.as_str()),
            Value::from(self.target_ratio),
            n(self.achieved_ratio),
            n(self.rel_l2_mean),
            n(self.rel_l2_max),
            n(self.lsd_mean),
            n(self.corr_mean),
            n(self.encode_s),
            n(self.decode_s),
            Value::from(self.note.as_str()),
        )
    }

    fn is(&self, method: &str, target_ratio: f64) -> bool {
        self.method == method && same_ratio(self.target_ratio, target_ratio)
    }

    /// Sort key: ratio, then ours, the pinned peers in order, anything else by name.
    fn order(&self) -> (f64, usize, String) {
        let rank = if self.method == OURS {
            0
        } else {
            CODEC_PEER_PINS.iter().position(|(_, _, m)| *m == self.method).map_or(CODEC_PEER_PINS.len() + 1, |i| i + 1)
        };
        (self.target_ratio, rank, self.method.clone())
    }
}

fn same_ratio(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The rows of `codec_compare`'s stdout: every line that is a JSON object with a
/// `method`; other lines are ignored. Returns the rows and the raw lines they came from.
fn parse_compare_output(stdout: &str) -> Result<(Vec<CodecRow>, Vec<String>), String> {
    let mut rows = Vec::new();
    let mut raw = Vec::new();
    for line in stdout.lines().map(str::trim).filter(|l| l.starts_with('{')) {
        let Ok(v) = serde_json::from_str::<Value>(line) else { continue };
        if v.get("method").is_none() {
            continue;
        }
        rows.push(CodecRow::from_json(&v)?);
        raw.push(line.to_string());
    }
    if rows.is_empty() {
        return Err(format!("{COMPARE_EXAMPLE} printed no JSON line with a `method`"));
    }
    Ok((rows, raw))
}

/// `codec_compare`'s rows completed from `peers.json`: a peer entry that is unavailable
/// and has no row gets one ("unavailable: reason"), one that is missing gets a row saying
/// so, the peers' search notes are appended, and an achieved ratio that disagrees with
/// `peers.json` is flagged. Sorted by ratio, ours first. Also returns warnings.
fn merge(mut rows: Vec<CodecRow>, peers_json: &Value) -> (Vec<CodecRow>, Vec<String>) {
    let mut warnings = Vec::new();
    let entries = peers_json["entries"].as_array().cloned().unwrap_or_default();
    for e in &entries {
        let (Some(method), Some(target)) = (e["method"].as_str(), e["target_ratio"].as_f64()) else {
            warnings.push(format!("peers.json entry without method or target_ratio: {e}"));
            continue;
        };
        let row = rows.iter_mut().find(|r| r.is(method, target));
        if let Some(reason) = e["unavailable"].as_str() {
            match row {
                None => rows.push(CodecRow::unavailable(method, target, reason)),
                Some(r) if !r.note.contains("unavailable") => {
                    r.note = join_notes(&format!("unavailable: {reason}"), &r.note);
                }
                Some(_) => {}
            }
            continue;
        }
        let search_note = e["note"].as_str().unwrap_or("");
        match row {
            None => {
                warnings.push(format!("{COMPARE_EXAMPLE} printed no line for {method} at ratio {target}"));
                let mut r = CodecRow::unavailable(method, target, "");
                r.note = join_notes(&format!("not scored: {COMPARE_EXAMPLE} printed no line"), search_note);
                r.achieved_ratio = e["achieved_ratio"].as_f64();
                rows.push(r);
            }
            Some(r) => {
                if let (Some(ours), Some(theirs)) = (r.achieved_ratio, e["achieved_ratio"].as_f64())
                    && !same_ratio(ours, theirs)
                {
                    warnings.push(format!(
                        "{method} at ratio {target}: {COMPARE_EXAMPLE} says achieved {ours}, peers.json {theirs}"
                    ));
                }
                if !search_note.is_empty() && !r.note.contains(search_note) {
                    r.note = join_notes(&r.note, search_note);
                }
            }
        }
    }
    for ratio in RATIOS {
        if !rows.iter().any(|r| r.is(OURS, f64::from(ratio))) {
            warnings.push(format!("{COMPARE_EXAMPLE} printed no line for {OURS} at ratio {ratio}"));
        }
    }
    rows.sort_by(|a, b| {
        let (a, b) = (a.order(), b.order());
        a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
    });
    (rows, warnings)
}

fn join_notes(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}; {b}"),
    }
}

/// A number with about four significant digits; "n/a" when missing.
fn num(x: Option<f64>) -> String {
    match x {
        None => "n/a".to_string(),
        Some(0.0) => "0".to_string(),
        Some(x) if x.abs() >= 1e4 || x.abs() < 1e-3 => format!("{x:.3e}"),
        Some(x) => {
            let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
            format!("{x:.digits$}")
        }
    }
}

fn ratio_text(x: f64) -> String {
    if x == x.round() { format!("{x:.0}") } else { format!("{x}") }
}

/// The Markdown table of the rows, followed by a blank line.
fn rows_markdown(rows: &[CodecRow]) -> String {
    let mut s = String::from(
        "| method | target ratio | achieved ratio | rel-L2 mean | rel-L2 max | LSD mean | corr mean | encode s | \
         decode s | note |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        let achieved = r.achieved_ratio.map_or("n/a".to_string(), |x| format!("{x:.2}"));
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.method,
            ratio_text(r.target_ratio),
            achieved,
            num(r.rel_l2_mean),
            num(r.rel_l2_max),
            num(r.lsd_mean),
            num(r.corr_mean),
            num(r.encode_s),
            num(r.decode_s),
            r.note.replace('|', "\\|").replace('\n', " "),
        ));
    }
    s.push('\n');
    s
}

/// The plain-text table printed at the end of the suite.
fn rows_text(rows: &[CodecRow]) -> String {
    let mut s = format!(
        "{:>10} {:>6} {:>9} {:>11} {:>11} {:>9} {:>9} {:>10} {:>10}  {}\n",
        "method",
        "target",
        "achieved",
        "rel-L2 mean",
        "rel-L2 max",
        "LSD mean",
        "corr mean",
        "encode s",
        "decode s",
        "note"
    );
    for r in rows {
        s.push_str(&format!(
            "{:>10} {:>6} {:>9} {:>11} {:>11} {:>9} {:>9} {:>10} {:>10}  {}\n",
            r.method,
            ratio_text(r.target_ratio),
            r.achieved_ratio.map_or("n/a".to_string(), |x| format!("{x:.2}")),
            num(r.rel_l2_mean),
            num(r.rel_l2_max),
            num(r.lsd_mean),
            num(r.corr_mean),
            num(r.encode_s),
            num(r.decode_s),
            r.note,
        ));
    }
    s
}

/// The pinned version of a peer's distribution, and what `peers.json` says of it.
fn peer_versions(peers_json: &Value) -> String {
    let entries = peers_json["entries"].as_array().cloned().unwrap_or_default();
    CODEC_PEER_PINS
        .iter()
        .map(|(dist, _, method)| {
            let entry = entries.iter().find(|e| e["method"] == *method);
            let package = entry.and_then(|e| e["package"].as_str()).unwrap_or(dist);
            match entry.and_then(|e| e["unavailable"].as_str()) {
                Some(reason) => format!("{method}: {package} (unavailable: {reason})"),
                None => format!("{method}: {package}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The distinct `mode` texts of the peers' entries, one line each.
fn peer_modes(peers_json: &Value) -> Vec<String> {
    let mut modes: Vec<String> = Vec::new();
    for e in peers_json["entries"].as_array().into_iter().flatten() {
        if let (Some(method), Some(mode)) = (e["method"].as_str(), e["mode"].as_str()) {
            let line = format!("{method}: {mode}");
            if !modes.contains(&line) {
                modes.push(line);
            }
        }
    }
    modes
}

/// What the codec region says about the run besides the table.
#[derive(Debug)]
struct CodecContext {
    cpu: String,
    cores: usize,
    date: String,
    rustc: String,
    truth_id: String,
    truth_dt: String,
    plan: Plan,
    frames: usize,
    n: usize,
    peers: String,
    python: String,
    numpy: String,
    modes: Vec<String>,
    raw: String,
}

/// The Markdown of the codec region (markers excluded), ending in a newline.
fn codec_region(ctx: &CodecContext, rows: &[CodecRow]) -> String {
    let p = &ctx.plan;
    let mut s = report::region_preamble(&ctx.cpu, ctx.cores, &ctx.date, &ctx.rustc);
    s.push_str(&format!(
        "- Peers: {} (Python {}, NumPy {}; `xtask/peers/codec_peers.py`)\n",
        ctx.peers, ctx.python, ctx.numpy
    ));
    s.push_str(&format!(
        "- Truth: `{}`, `dashi les --ic {TRUTH_IC} --n {} --seed {TRUTH_SEED} --backend cpu --steps {} --stride {}` \
         (dt = {}; {} frames); compared frames `{}` (half-open, {} frames of {}×{} f32)\n",
        ctx.truth_id,
        ctx.n,
        p.steps,
        p.stride,
        ctx.truth_dt,
        p.truth_frames(),
        p.frames,
        ctx.frames,
        ctx.n,
        ctx.n,
    ));
    s.push_str(
        "- Ratio: raw f32 bytes of the compared frames / compressed bytes. Peers compress each frame on its own as \
         a 2D array, one error bound for all frames of a (method, target ratio), the bound found by a log-space \
         search as the one whose ratio is the smallest at or above the target; the achieved ratio is reported as \
         is (ZFP's power-of-two tolerances can overshoot, the note says by how much).\n",
    );
    for mode in &ctx.modes {
        s.push_str(&format!("  - {mode}\n"));
    }
    s.push_str(&format!(
        "- Scores: every row is scored by the same implementation, `dashi-codec`'s example `{COMPARE_EXAMPLE}`, \
         against the truth frames: rel-L2 (mean and max over frames), log-spectral distance of E(k) (mean), \
         Pearson correlation (mean). Encode/decode s: the whole frame set; peers: the library calls only, median \
         of {} runs; ours: as `{COMPARE_EXAMPLE}` reports it.\n\n",
        p.peer_repeats
    ));
    s.push_str(&rows_markdown(rows));
    s.push_str(&format!(
        "- Raw outputs (codec_compare's JSON lines, peers.json, the truth's meta.json): `{}/`\n",
        ctx.raw
    ));
    s
}

/// Checks that an existing truth's `meta.json` is the one this plan would make.
fn truth_matches(meta: &Value, plan: &Plan) -> Result<(), String> {
    let params = &meta["params"];
    let checks: [(&str, Value, Value); 5] = [
        ("n", meta["n"].clone(), Value::from(TRUTH_N)),
        ("ic", params["ic"].clone(), Value::from(TRUTH_IC)),
        ("seed", params["seed"].clone(), Value::from(TRUTH_SEED)),
        ("steps", params["steps"].clone(), Value::from(plan.steps)),
        ("stride", params["stride"].clone(), Value::from(plan.stride)),
    ];
    for (name, have, want) in checks {
        if have != want {
            return Err(format!("{name} is {have}, expected {want}"));
        }
    }
    match meta["frames"].as_u64() {
        Some(f) if f == plan.truth_frames() => Ok(()),
        other => Err(format!("frames is {other:?}, expected {}", plan.truth_frames())),
    }
}

/// The truth of `plan` under `root`: reused when it exists and matches, else made.
fn ensure_truth(dashi: &Path, root: &Path, id: &str, plan: &Plan) -> Result<(PathBuf, Value), String> {
    let dir = root.join(id);
    let meta_path = dir.join("meta.json");
    let read_meta = || -> Result<Value, String> {
        let text =
            std::fs::read_to_string(&meta_path).map_err(|e| format!("cannot read {}: {e}", meta_path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("invalid {}: {e}", meta_path.display()))
    };
    if meta_path.is_file() {
        let meta = read_meta()?;
        truth_matches(&meta, plan).map_err(|e| {
            format!("{} exists but is not this suite's truth ({e}); remove it and run again", dir.display())
        })?;
        if !dir.join("omega.npy").is_file() {
            return Err(format!("{} has no omega.npy; remove it and run again", dir.display()));
        }
        eprintln!("peers: reusing the truth {}", dir.display());
        return Ok((dir, meta));
    }
    peers::step(&format!("dashi les for the truth {id} ({} steps, stride {})", plan.steps, plan.stride));
    std::fs::create_dir_all(root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    let status = Command::new(dashi)
        .args(["les", "--ic", TRUTH_IC, "--n", &TRUTH_N.to_string(), "--seed", &TRUTH_SEED.to_string()])
        .args(["--steps", &plan.steps.to_string(), "--stride", &plan.stride.to_string(), "--backend", "cpu"])
        .arg("--out")
        .arg(root)
        .args(["--id", id, "--quiet"])
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .map_err(|e| format!("cannot run {}: {e}", dashi.display()))?;
    if !status.success() {
        return Err(format!("`dashi les` for the codec truth failed ({status})"));
    }
    let meta = read_meta()?;
    truth_matches(&meta, plan).map_err(|e| format!("the new truth {} is not as asked: {e}", dir.display()))?;
    Ok((dir, meta))
}

/// Installs each pinned peer into the virtualenv unless that version is present. A peer
/// that fails to install is reported (and then shows as unavailable), not an error.
fn ensure_codec_peers(paths: &Paths, python: &Path) {
    for (dist, version, method) in CODEC_PEER_PINS {
        let probe = format!("import importlib.metadata as m; print(m.version({dist:?}))");
        let have = Command::new(python).args(["-c", &probe]).stderr(Stdio::null()).output().ok();
        if have.is_some_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == version) {
            eprintln!("peers: virtualenv has {dist} {version}");
            continue;
        }
        eprintln!("peers: installing {dist}=={version} from PyPI");
        let status = Command::new(python)
            .args(["-m", "pip", "install", "--disable-pip-version-check"])
            .arg(format!("{dist}=={version}"))
            .arg(format!("numpy=={}", peers::NUMPY_VERSION))
            .stdout(Stdio::from(std::io::stderr()))
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => eprintln!(
                "peers: warning: pip install {dist}=={version} into {} failed ({s}); {method} will be reported \
                 unavailable",
                paths.venv.display()
            ),
            Err(e) => eprintln!("peers: warning: cannot run pip ({e}); {method} will be reported unavailable"),
        }
    }
}

/// Runs the codec suite; see the module docs.
pub fn run(opts: &Options, paths: &Paths, python: &Path, dashi: &Path, compare: Compare) -> Result<(), String> {
    let plan = Plan::new(opts.quick);
    let day = peers::command_line("date", &["-u", "+%Y-%m-%d"]).unwrap_or_else(|| "unknown-date".into());
    let scratch = paths.target.join("peers-codec");
    let truth_id = plan.truth_id(&day);
    eprintln!(
        "peers: codec vs SZ3/ZFP: truth {TRUTH_IC} N = {TRUTH_N}, {} steps, stride {}; frames {}; ratios {:?}",
        plan.steps, plan.stride, plan.frames, RATIOS
    );
    let (truth_dir, truth_meta) = ensure_truth(dashi, &scratch.join("truths"), &truth_id, &plan)?;

    ensure_codec_peers(paths, python);
    let peers_dir = scratch.join("peers");
    if peers_dir.exists() {
        std::fs::remove_dir_all(&peers_dir).map_err(|e| format!("cannot empty {}: {e}", peers_dir.display()))?;
    }
    peers::step("codec_peers.py (SZ3, ZFP)");
    let mut cmd = Command::new(python);
    cmd.arg(&paths.codec_script)
        .arg("--omega")
        .arg(truth_dir.join("omega.npy"))
        .args(["--frames", plan.frames, "--ratios", &Plan::ratios_arg()])
        .arg("--out")
        .arg(&peers_dir)
        .args(["--repeats", &plan.peer_repeats.to_string(), "--max-evals", &plan.max_evals.to_string()]);
    peers::json_line(cmd, "codec_peers.py")?;
    let peers_path = peers_dir.join("peers.json");
    let peers_text =
        std::fs::read_to_string(&peers_path).map_err(|e| format!("cannot read {}: {e}", peers_path.display()))?;
    let peers_json: Value =
        serde_json::from_str(&peers_text).map_err(|e| format!("invalid {}: {e}", peers_path.display()))?;

    let exe = compare.executable(&paths.root)?;
    peers::step(&format!("{COMPARE_EXAMPLE} (ours and the peers, scored)"));
    let out = Command::new(&exe)
        .current_dir(&paths.root)
        .arg("--truth")
        .arg(&truth_dir)
        .args(["--frames", plan.frames])
        .arg("--peers")
        .arg(&peers_dir)
        .args(["--ratios", &Plan::ratios_arg()])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !out.status.success() {
        return Err(format!("{COMPARE_EXAMPLE} failed ({})", out.status));
    }
    let (rows, raw_lines) = parse_compare_output(&String::from_utf8_lossy(&out.stdout))?;
    let (rows, warnings) = merge(rows, &peers_json);
    for w in &warnings {
        eprintln!("peers: warning: {w}");
    }
    for r in &rows {
        println!("{}", r.json_line());
    }
    let table = rows_text(&rows);
    eprint!("\n{table}");
    let versions = peer_versions(&peers_json);
    eprintln!("peers: {versions}");
    if opts.quick {
        eprintln!("peers: --quick: docs/BENCHMARKS.md and docs/bench left unchanged");
        return Ok(());
    }

    let cpu = report::cpu_model();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let date = report::utc_date();
    let rustc = peers::command_line("rustc", &["--version"]).unwrap_or_else(|| "unknown rustc".into());
    let dir =
        peers::unique_dir(&paths.root.join("docs/bench"), &format!("{}-{day}-codec", peers::machine_slug(&cpu, cores)));
    let machine = format!(
        "machine: {cpu}, {cores} cores (available parallelism)\ndate: {date}\nrust: {rustc}\n\
         load average (1, 5, 15 min) at the end: {}\n\
         truth: {} ({})\nframes: {}\nratios: {}\nscored by: {}\npeers: {versions}\npython: {}, numpy: {}\n{}",
        peers::load_average().as_deref().unwrap_or("unknown"),
        truth_id,
        truth_dir.display(),
        plan.frames,
        Plan::ratios_arg(),
        exe.display(),
        peers::text(&peers_json, "python"),
        peers::text(&peers_json, "numpy"),
        warnings.iter().map(|w| format!("warning: {w}\n")).collect::<String>(),
    );
    let files = [
        ("machine.txt", machine),
        ("table.txt", table),
        ("codec.jsonl", raw_lines.iter().map(|l| format!("{l}\n")).collect()),
        ("peers.json", peers_text),
        ("truth_meta.json", format!("{truth_meta:#}\n")),
    ];
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, body) in files {
        let path = dir.join(name);
        std::fs::write(&path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    eprintln!("peers: raw outputs in {}", dir.display());

    let ctx = CodecContext {
        cpu,
        cores,
        date,
        rustc,
        truth_id,
        truth_dt: truth_meta["params"]["dt"].as_f64().map_or("unknown".to_string(), |dt| dt.to_string()),
        frames: peers_json["frames"].as_array().map_or(0, Vec::len),
        n: peers_json["n"].as_u64().map_or(TRUTH_N, |n| n as usize),
        plan,
        peers: versions,
        python: peers::text(&peers_json, "python"),
        numpy: peers::text(&peers_json, "numpy"),
        modes: peer_modes(&peers_json),
        raw: dir.strip_prefix(&paths.root).unwrap_or(&dir).display().to_string(),
    };
    let doc = paths.root.join("docs/BENCHMARKS.md");
    report::update_benchmarks_md(&doc, &CODEC_REGION, &codec_region(&ctx, &rows))?;
    eprintln!("peers: updated the codec region of {}", doc.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(method: &str, r: f64) -> String {
        json!({"method": method, "target_ratio": r, "achieved_ratio": r * 1.01, "rel_l2_mean": 0.1,
            "rel_l2_max": 0.2, "lsd_mean": 0.3, "corr_mean": 0.99, "encode_s": 0.5, "decode_s": 0.0002,
            "note": ""})
        .to_string()
    }

    #[test]
    fn parses_compare_lines_and_skips_noise() {
        let out = format!(
            "building…\n{}\n\n{{\"not\":\"a row\"}}\n{}\n{{\"method\":\"zfp\",\"target_ratio\":50,\"note\":\"x\",\
             \"achieved_ratio\":null}}\n",
            line(OURS, 20.0),
            line("sz3", 20.0)
        );
        let (rows, raw) = parse_compare_output(&out).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(raw.len(), 3);
        assert_eq!(rows[0].method, OURS);
        assert_eq!(rows[0].corr_mean, Some(0.99));
        assert_eq!(rows[2].achieved_ratio, None);
        assert_eq!(rows[2].rel_l2_mean, None);
        assert_eq!(rows[2].note, "x");
        assert!(parse_compare_output("hello\n").is_err());
        assert!(parse_compare_output("{\"method\":\"sz3\"}\n").is_err(), "target_ratio is required");
    }

    #[test]
    fn json_line_round_trips_in_contract_order() {
        let (rows, _) = parse_compare_output(&line("sz3", 50.0)).unwrap();
        let text = rows[0].json_line();
        assert!(text.starts_with("{\"method\":\"sz3\",\"target_ratio\":50.0,\"achieved_ratio\":50.5,"), "{text}");
        let back = CodecRow::from_json(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(back, rows[0]);
        let un = CodecRow::unavailable("zfp", 20.0, "ImportError: no zfpy");
        assert!(un.json_line().contains("\"rel_l2_mean\":null") && un.json_line().contains("unavailable: ImportError"));
    }

    #[test]
    fn merge_adds_unavailable_peers_notes_and_orders_rows() {
        let out =
            [line("zfp", 50.0), line("sz3", 20.0), line(OURS, 50.0), line(OURS, 20.0), line(OURS, 100.0)].join("\n");
        let (rows, _) = parse_compare_output(&out).unwrap();
        let peers = json!({"n": 128, "frames": [1, 2], "entries": [
            {"method": "sz3", "target_ratio": 20, "achieved_ratio": 20.2, "note": ""},
            {"method": "zfp", "target_ratio": 50, "achieved_ratio": 60.0,
             "note": "no setting tried gives a ratio in [50, 60)"},
            {"method": "zfp", "target_ratio": 20, "achieved_ratio": 22.0, "note": ""},
            {"method": "sz3", "target_ratio": 50, "unavailable": "ImportError: no pysz", "package": "pysz (not installed)"},
        ]});
        let (rows, warnings) = merge(rows, &peers);
        let order: Vec<(String, f64)> = rows.iter().map(|r| (r.method.clone(), r.target_ratio)).collect();
        let want =
            [(OURS, 20.0), ("sz3", 20.0), ("zfp", 20.0), (OURS, 50.0), ("sz3", 50.0), ("zfp", 50.0), (OURS, 100.0)];
        assert_eq!(order, want.map(|(m, r)| (m.to_string(), r)).to_vec());
        assert_eq!(rows[4].note, "unavailable: ImportError: no pysz");
        assert_eq!(rows[4].rel_l2_mean, None);
        assert!(rows[2].note.starts_with("not scored") && rows[2].achieved_ratio == Some(22.0));
        assert_eq!(rows[5].note, "no setting tried gives a ratio in [50, 60)");
        // zfp 50: codec_compare says 50.5, peers.json 60 → flagged; zfp 20 missing → flagged.
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        // Merging again adds nothing.
        let (again, _) = merge(rows.clone(), &peers);
        assert_eq!(again, rows);
    }

    #[test]
    fn table_and_region_show_every_row() {
        let (rows, _) = parse_compare_output(&[line(OURS, 20.0), line("sz3", 20.0)].join("\n")).unwrap();
        let mut rows = rows;
        rows.push(CodecRow::unavailable("zfp", 20.0, "pip failed | badly"));
        let md = rows_markdown(&rows);
        assert!(
            md.contains("| dashi-v4 | 20 | 20.20 | 0.1000 | 0.2000 | 0.3000 | 0.9900 | 0.5000 | 2.000e-4 |  |"),
            "{md}"
        );
        assert!(md.contains("| zfp | 20 | n/a | n/a |") && md.contains("pip failed \\| badly"), "{md}");
        let ctx = CodecContext {
            cpu: "Some CPU".into(),
            cores: 2,
            date: "today".into(),
            rustc: "rustc 1".into(),
            truth_id: "codec-peers-x".into(),
            truth_dt: "0.005".into(),
            plan: Plan::new(false),
            frames: 101,
            n: 128,
            peers: "sz3: pysz 1.1.0, zfp: zfpy 1.0.1.post0".into(),
            python: "3.11.7".into(),
            numpy: "2.4.6".into(),
            modes: vec!["sz3: ABS".into()],
            raw: "docs/bench/x-codec".into(),
        };
        let region = codec_region(&ctx, &rows);
        assert!(region.contains("--steps 4000 --stride 20") && region.contains("201 frames"), "{region}");
        assert!(region.contains("`100:201` (half-open, 101 frames of 128×128 f32)"), "{region}");
        assert!(region.contains("  - sz3: ABS\n") && region.contains("`docs/bench/x-codec/`"));
        assert!(region.ends_with('\n'));
        assert_eq!(rows_text(&rows).lines().count(), 4);
    }

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(num(None), "n/a");
        assert_eq!(num(Some(0.0)), "0");
        assert_eq!(num(Some(0.123456)), "0.1235");
        assert_eq!(num(Some(12.3456)), "12.35");
        assert_eq!(num(Some(1234.4)), "1234");
        assert_eq!(num(Some(0.00012)), "1.200e-4");
        assert_eq!(num(Some(123456.0)), "1.235e5");
        assert_eq!(ratio_text(20.0), "20");
        assert_eq!(ratio_text(12.5), "12.5");
    }

    #[test]
    fn truth_reuse_checks_the_plan() {
        let plan = Plan::new(true);
        let meta = json!({"n": 128, "frames": 41,
            "params": {"ic": "mcwilliams", "seed": 0, "steps": 400, "stride": 10, "dt": 0.005}});
        assert!(truth_matches(&meta, &plan).is_ok());
        let mut other = meta.clone();
        other["params"]["stride"] = json!(20);
        assert!(truth_matches(&other, &plan).unwrap_err().contains("stride"));
        let mut short = meta;
        short["frames"] = json!(40);
        assert!(truth_matches(&short, &plan).is_err());
        assert_eq!(plan.truth_id("2026-01-02"), "codec-peers-2026-01-02-n128-400x10");
        assert_eq!(Plan::new(false).truth_frames(), 201);
    }

    #[test]
    fn finds_examples_in_cargo_metadata() {
        let meta = json!({"packages": [{"name": "dashi-codec", "targets": [
            {"name": "dashi_codec", "kind": ["lib"]}, {"name": "codec_compare", "kind": ["example"]}]}]});
        assert!(has_example(&meta, "dashi-codec", "codec_compare"));
        assert!(!has_example(&meta, "dashi-codec", "dashi_codec"));
        assert!(!has_example(&meta, "dashi-core", "codec_compare"));
    }

    #[test]
    fn frames_of_the_plans_lie_in_the_truth() {
        for quick in [true, false] {
            let plan = Plan::new(quick);
            let parts: Vec<u64> = plan.frames.split(':').map(|x| x.parse().unwrap()).collect();
            assert!(parts[0] < parts[1] && parts[1] <= plan.truth_frames(), "{plan:?}");
        }
    }
}
