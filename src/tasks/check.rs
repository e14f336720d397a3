//! `clientele check`: reads every stored record once and reports those that cannot be read.

use super::desk::Desk;
use crate::domain::check::CheckReport;
use crate::domain::error::Result;

impl Desk {
    /// Reads every stored record once and reports those that cannot be read.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = self.reader()?.check()?;
        report.ok = report.bad() == 0;
        Ok(report)
    }
}
