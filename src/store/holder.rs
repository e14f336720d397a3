//! Names the process that holds a database file, so a refused open can say who and what to do.

use std::path::Path;

/// A sentence naming the process (found through /proc on Linux) and how to proceed.
pub fn describe(path: &Path) -> String {
    let who = find(path)
        .map(|(pid, cmd)| format!("process {pid} (`{cmd}`)"))
        .unwrap_or_else(|| "another clientele process".to_string());
    format!(
        "{} is in use by {who}. Commands that only read (list, show, export, log, backup, …) still work; \
         for changes use that process (e.g. the web console or API of `clientele serve`), \
         or stop it and run the command again",
        path.display()
    )
}

fn find(path: &Path) -> Option<(u32, String)> {
    let target = std::fs::canonicalize(path).ok()?;
    let me = std::process::id();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let holds = fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| p == target));
        if holds {
            let cmd = std::fs::read(entry.path().join("cmdline"))
                .map(|raw| {
                    raw.split(|b| *b == 0)
                        .filter(|s| !s.is_empty())
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            return Some((pid, cmd));
        }
    }
    None
}
