//! `dashi` — the command-line face of DASHI (docs/DESIGN.md §7).
//!
//! Subcommands: `demo` (the embedded default run), `info` (adapters and the one chosen),
//! `les` (an LES run written as a truth directory), `validate` (the GPU-vs-CPU parity gate
//! of docs/DESIGN.md §5), `fit` / `rollout` / `decode` / `sweep` (the v4 codec, docs/DESIGN.md §6), `plot`
//! (redraw pictures from saved data) and `completions` (shell completion scripts). Every
//! command takes `--backend cpu|gpu|auto`, `--require-gpu`, `--metrics-json PATH`
//! (never overwritten without `--force`) and `--quiet`, shows progress on long work,
//! and exits 0 on success, 1 on failure, 2 on bad usage — with an error that names
//! the bad input.

mod atoms;
mod backend;
mod decode;
mod demo;
mod fit;
mod info;
mod interrupt;
mod les;
mod metrics;
mod model_input;
mod output_dir;
mod path_guard;
mod pictures;
mod plot;
mod progress;
mod rollout;
mod run_config;
mod sweep;
mod truth_input;
mod usage;
mod validate;

use clap::{Args, Parser, Subcommand};
use dashi_gpu::BackendRequest;
use std::path::PathBuf;
use std::process::ExitCode;
use usage::UsageError;

/// DASHI: simulation and compression of 2D turbulence on a ternary-carrier kernel core.
#[derive(Debug, Parser)]
#[command(
    name = "dashi",
    version,
    about,
    propagate_version = true,
    after_help = "Start here: `dashi demo` (about 30 s on two CPU cores) writes a folder of pictures and scores.\n\
                  Docs: README.md, docs/FORMATS.md (every file and the metrics JSON), docs/CODEC.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The embedded default: LES → fit → rollout → decode → scores and pictures in one folder.
    #[command(after_help = "Examples:\n  dashi demo\n  dashi demo --out demo-small --n 64 --frames 30 --backend cpu")]
    Demo(demo::DemoArgs),
    /// List compute adapters, the one `auto` picks, its features and limits.
    #[command(after_help = "Example:\n  dashi info --json")]
    Info(info::InfoArgs),
    /// Run the pseudo-spectral LES and write a truth directory (docs/DESIGN.md §5).
    #[command(after_help = "Examples:\n  dashi les --n 128 --steps 2000 --stride 20 --out truths\n  \
                            dashi les --ic kolmogorov --n 256 --dt 0.002 --scheme rk4 --backend cpu")]
    Les(les::LesArgs),
    /// GPU-vs-CPU parity gate: the same LES on both, compared every stride (docs/DESIGN.md §5).
    #[command(after_help = "Example:\n  dashi validate --n 64 --steps 100 --long-steps 2000")]
    Validate(validate::ValidateArgs),
    /// Encode a truth into the v4 proxy z and fit the operator z_{t+1} = z_t·A (docs/DESIGN.md §6).
    #[command(
        after_help = "Example:\n  dashi fit --truth latest --train-frac 0.6 --k-cut 8 --topk 128 --out model.dashi"
    )]
    Fit(fit::FitArgs),
    /// Kernel-only rollout of a model: steps/s, ns_per_step, state hashes.
    #[command(after_help = "Example:\n  dashi rollout --model model.dashi --steps 100000 --stride 1000")]
    Rollout(rollout::RolloutArgs),
    /// Roll a model out, decode and score against a truth; triptychs, curves, summary.
    #[command(after_help = "Example:\n  dashi decode --model model.dashi --truth latest --out decoded")]
    Decode(decode::DecodeArgs),
    /// Redraw a picture from saved data: a field, spectra, diagnostics, decode scores, a GIF.
    #[command(after_help = "Examples:\n  dashi plot field --truth latest --frame 0 --out omega0.png\n  \
                            dashi plot scores --scores decoded/scores.csv --metric lsd --out lsd.png")]
    Plot(plot::PlotArgs),
    /// v5 filament atoms (issue 8): encode a frame, evolve and score, decode.
    #[command(
        after_help = "Examples:\n  dashi atoms encode --truth latest --frame 0 --out atoms.json --png atoms.png\n  \
                            dashi atoms run --truth latest --floats 456 --out atoms-run"
    )]
    Atoms(atoms::AtomsArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell).
    #[command(
        after_help = "Examples:\n  dashi completions bash > ~/.local/share/bash-completion/completions/dashi\n  \
                            dashi completions zsh > ~/.zfunc/_dashi\n  \
                            dashi completions fish > ~/.config/fish/completions/dashi.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Many rollouts of one model (z0 noise levels × ridge values) scored against a truth.
    #[command(
        after_help = "Example:\n  dashi sweep --model model.dashi --truth latest --noise 0,1e-3,1e-2 --ridge 1e-4,1e-2"
    )]
    Sweep(sweep::SweepArgs),
}

/// Flags every command takes (docs/DESIGN.md §7).
#[derive(Clone, Debug, Args)]
pub struct CommonArgs {
    /// Compute backend: cpu (f64 reference), gpu (Vulkan, f32) or auto (a hardware GPU
    /// if there is one, else the CPU; software Vulkan such as llvmpipe only on request).
    #[arg(long, default_value = "auto", value_parser = parse_backend)]
    pub backend: BackendRequest,
    /// Fail unless the work runs on a GPU adapter.
    #[arg(long)]
    pub require_gpu: bool,
    /// Write the run's metrics as JSON to this file (docs/FORMATS.md).
    #[arg(long, value_name = "PATH")]
    pub metrics_json: Option<PathBuf>,
    /// Overwrite existing outputs (the --out file or folder, the metrics file).
    #[arg(long)]
    pub force: bool,
    /// No progress bars or summary tables (errors still go to stderr).
    #[arg(long, short)]
    pub quiet: bool,
}

/// The error and its causes joined by ": ", skipping a cause whose text the message
/// already contains (library errors often repeat their source in their own message).
fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// `text` with control characters (terminal escapes, carriage returns, …) written as
/// `\u{…}` escapes, so that nothing read from a file or flag can drive the terminal.
fn without_control_characters(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
}

/// The output flags of commands without a compute backend (`plot`, `atoms`).
#[derive(Clone, Debug, Args)]
pub struct OutputArgs {
    /// Write the run's metrics as JSON to this file (docs/FORMATS.md).
    #[arg(long, global = true, value_name = "PATH")]
    pub metrics_json: Option<PathBuf>,
    /// Overwrite existing outputs (the --out file or folder, the metrics file).
    #[arg(long, global = true)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

fn parse_backend(s: &str) -> Result<BackendRequest, String> {
    s.parse()
}

/// Keeps a message that is not ours off stderr: on a machine without a desktop session
/// (no usable `XDG_RUNTIME_DIR`), Mesa's device-select Vulkan layer tries Wayland and
/// prints `error: XDG_RUNTIME_DIR is invalid or not set in the environment.` every time
/// an instance is made. DASHI chooses adapters itself (docs/DESIGN.md §3), so the layer is
/// switched off there (`NODEVICE_SELECT=1`, unless the user set it).
fn quiet_vulkan_layers() {
    let runtime_dir_ok = std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| std::path::Path::new(&d).is_dir());
    if !runtime_dir_ok && std::env::var_os("NODEVICE_SELECT").is_none() {
        // SAFETY: the first statement of `main`, before any other thread exists.
        unsafe { std::env::set_var("NODEVICE_SELECT", "1") };
    }
}

fn main() -> ExitCode {
    quiet_vulkan_layers();
    let cli = Cli::parse();
    interrupt::install();
    let result = match cli.command {
        Command::Info(args) => info::run(args),
        Command::Les(args) => les::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Fit(args) => fit::run(args),
        Command::Rollout(args) => rollout::run(args),
        Command::Decode(args) => decode::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Plot(args) => plot::run(args),
        Command::Atoms(args) => atoms::run(args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "dashi",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", without_control_characters(&describe(&e)));
            if e.downcast_ref::<UsageError>().is_some() { ExitCode::from(2) } else { ExitCode::from(1) }
        }
    }
}
