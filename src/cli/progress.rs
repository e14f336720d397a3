//! The progress bar of long commands (`import`, `export --output`, `demo`, `backup`, `check`):
//! drawn on stderr with its rate and time left when stderr is a terminal, hidden otherwise
//! (pipes, files, tests), so scripts see no more output than before.

use crate::domain::progress::Progress;
use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;

/// A bar over records, or over bytes of input; cleared when dropped.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar counting `unit` (a plural noun: "customers", "records").
    pub fn records(what: &str, unit: &str) -> Bar {
        Bar::new(
            what,
            &format!("{{human_pos}}/{{human_len}} {unit} ({{rate}}/s, {{eta}} left)"),
        )
    }

    /// A bar counting bytes read.
    pub fn bytes(what: &str) -> Bar {
        Bar::new(what, "{bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)")
    }

    fn new(what: &str, counts: &str) -> Bar {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        let template = format!("{what} [{{wide_bar}}] {{percent:>3}}% {counts}");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            // Whole records a second: indicatif's own `{per_sec}` prints fractions of one.
            let rate = |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}", HumanCount(s.per_sec() as u64));
            };
            bar.set_style(style.progress_chars("=> ").with_key("rate", rate));
        }
        Bar(bar)
    }
}

impl Progress for Bar {
    fn update(&self, done: u64, total: u64) {
        self.0.set_length(total);
        self.0.set_position(done);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
