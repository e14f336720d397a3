//! Names the process that holds a database file, so a refused open can say who holds it.

use crate::domain::error::{Error, Holder};
use std::path::Path;

/// The refusal for a file another process holds, naming that process (found through /proc on
/// Linux) where it can be found.
pub fn busy(path: &Path) -> Error {
    Error::Busy {
        path: path.to_path_buf(),
        holder: find(path).map(|(pid, command)| Holder { pid, command }),
    }
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
