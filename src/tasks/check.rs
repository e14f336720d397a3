//! `clientele check`: reads every stored record once and reports those that cannot be read.

use super::desk::Desk;
use crate::domain::check::CheckReport;
use crate::domain::error::Result;
use crate::domain::progress::{Progress, Quiet};

impl Desk {
    /// Reads every stored record once and reports those that cannot be read.
    pub fn check(&self) -> Result<CheckReport> {
        self.check_with(&Quiet)
    }

    /// [`Desk::check`], reporting the records read of all records to `progress`.
    pub fn check_with(&self, progress: &dyn Progress) -> Result<CheckReport> {
        let mut report = self.reader()?.check_with(progress)?;
        report.ok = report.bad() == 0;
        Ok(report)
    }
}
