//! `clientele backup FILE`: a consistent copy of every table, made from one read
//! transaction (redb has no online file copy), so it may run while others write.

use super::*;
use crate::domain::progress::{Progress, Quiet, Ticker};
use std::ffi::OsString;

impl Store {
    /// Copies every table into a new database file and returns the number of rows copied.
    /// The copy is written as `FILE.partial` and renamed at the end, so a failed backup never
    /// leaves a half-written file under the name the user asked for.
    pub fn backup(&self, to: &Path) -> Result<u64, Error> {
        self.backup_with(to, &Quiet)
    }

    /// [`Store::backup`], reporting the rows copied of all rows to `progress`.
    pub fn backup_with(&self, to: &Path, progress: &dyn Progress) -> Result<u64, Error> {
        if to.exists() {
            return Err(Error::conflict(
                "file",
                format!("{} already exists; choose a new file name", to.display()),
            ));
        }
        let mut name = OsString::from(to.as_os_str());
        name.push(".partial");
        let partial = PathBuf::from(name);
        let result = self.copy_into(&partial, to, progress).and_then(|n| {
            std::fs::rename(&partial, to).map_err(|e| {
                Error::invalid("file", format!("cannot write {}: {e}", to.display()))
            })?;
            Ok(n)
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }

    /// Writes the copy into `partial`, which always starts empty: a stale one (left by a
    /// crash) may be a valid database, and copying on top of it would bring back rows
    /// deleted since. `to` is the name errors give.
    fn copy_into(&self, partial: &Path, to: &Path, progress: &dyn Progress) -> Result<u64, Error> {
        let cannot_create = |e: std::io::Error| {
            if file::is_disk_full(&e) {
                return Error::DiskFull(to.to_path_buf());
            }
            Error::invalid("file", format!("cannot create {}: {e}", to.display()))
        };
        match std::fs::remove_file(partial) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(cannot_create(e)),
            _ => {}
        }
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(partial)
            .map_err(cannot_create)?;
        let target = redb::Builder::new()
            .create_with_backend(file::File::new(f, to)?)
            .map_err(|e| match file::classify(&e) {
                Fault::DiskFull(path) => Error::DiskFull(path),
                _ => Error::invalid("file", format!("cannot create {}: {e}", to.display())),
            })?;
        let r = self.read()?;
        let w = target.begin_write().map_err(db_err)?;
        let mut copied = 0u64;
        let mut rows = 0u64;
        macro_rules! count {
            ($($def:expr),+) => {$(
                if let Some(src) = optional(&r.tx, $def)? {
                    rows += src.len().map_err(db_err)?;
                }
            )+};
        }
        with_tables!(count);
        with_retired_tables!(count);
        let mut ticker = Ticker::records(progress, rows);
        macro_rules! copy {
            ($($def:expr),+) => {$(
                if let Some(src) = optional(&r.tx, $def)? {
                    let mut dst = w.open_table($def).map_err(db_err)?;
                    for row in src.iter().map_err(db_err)? {
                        let (k, v) = row.map_err(db_err)?;
                        dst.insert(k.value(), v.value()).map_err(db_err)?;
                        copied += 1;
                        ticker.tick();
                    }
                }
            )+};
        }
        with_tables!(copy);
        with_retired_tables!(copy);
        w.commit().map_err(db_err)?;
        drop(target);
        ticker.finish();
        Ok(copied)
    }
}
