//! Progress bars on stderr (hidden with `--quiet` or when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over `len` `unit`s (steps, frames, runs) labelled `what`, with elapsed time and ETA.
pub fn steps_bar(len: u64, what: &str, unit: &str, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(len),
        if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() },
    );
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{prefix}} [{{bar:32}}] {{pos}}/{{len}} {unit}  {{elapsed}} (eta {{eta}})  {{msg}}"
        ))
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}
