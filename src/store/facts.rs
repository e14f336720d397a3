//! The facts column (schema 3): every customer's [`Facts`] — account type, status,
//! products, managed — two bytes per id, in blocks of [`BLOCK`] consecutive ids (key:
//! id / `BLOCK`; a slot of 0 holds no customer). A filter on these facts, and the view
//! setting "managed", reads this column (about 2 MiB for a million customers) and a sort
//! index instead of every summary; the total is counted from the same column.

use super::{db_err, Error, Reader, Writer};
use crate::domain::summary::Facts;
use redb::{ReadableTable, TableDefinition};

pub(super) const FACTS: TableDefinition<u64, &[u8]> = TableDefinition::new("customer_facts");

const BLOCK: u64 = 4096;

/// Whether a stored block has the right size (for `check`).
pub(super) fn check_block(bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() == 2 * BLOCK as usize {
        Ok(())
    } else {
        Err(Error::Database(format!(
            "a facts block holds {} bytes instead of {}",
            bytes.len(),
            2 * BLOCK
        )))
    }
}

fn slot(id: u64) -> usize {
    (id % BLOCK) as usize * 2
}

impl Writer {
    /// Stores the facts of `entries` (ids ascending), one block rewrite per block.
    pub(super) fn put_facts(
        &self,
        entries: impl Iterator<Item = (u64, Facts)>,
    ) -> Result<(), Error> {
        let mut t = self.tx.open_table(FACTS).map_err(db_err)?;
        let mut current: Option<(u64, Vec<u8>)> = None;
        for (id, facts) in entries {
            let key = id / BLOCK;
            if current.as_ref().is_none_or(|(k, _)| *k != key) {
                if let Some((k, block)) = current.take() {
                    t.insert(k, block.as_slice()).map_err(db_err)?;
                }
                let block = match t.get(key).map_err(db_err)? {
                    Some(v) if v.value().len() == 2 * BLOCK as usize => v.value().to_vec(),
                    // A damaged block loses only its own facts; `build_facts` restores them.
                    _ => vec![0; 2 * BLOCK as usize],
                };
                current = Some((key, block));
            }
            if let Some((_, block)) = current.as_mut() {
                block[slot(id)..slot(id) + 2].copy_from_slice(&facts.0.to_le_bytes());
            }
        }
        if let Some((k, block)) = current {
            t.insert(k, block.as_slice()).map_err(db_err)?;
        }
        Ok(())
    }

    /// Clears a customer's facts.
    pub(super) fn clear_facts(&self, id: u64) -> Result<(), Error> {
        self.put_facts(std::iter::once((id, Facts::default())))
    }

    /// Builds the column from the stored summaries (a schema-2 file's first writable open);
    /// a summary that cannot be read gets no facts (`check` names it).
    pub(super) fn build_facts(&self) -> Result<(), Error> {
        let mut all = Vec::new();
        {
            let t = self.tx.open_table(super::SUMMARIES).map_err(db_err)?;
            for row in t.iter().map_err(db_err)? {
                let (_, v) = row.map_err(db_err)?;
                if let Ok(s) = super::decode_summary(v.value()) {
                    all.push((s.id, Facts::of(&s)));
                }
            }
        }
        self.put_facts(all.into_iter())
    }
}

impl Reader {
    /// Every customer's facts, indexed by id (absent ids hold `Facts::default()`); `None`
    /// when the file has no facts column (an older file opened read-only).
    pub fn facts(&self) -> Result<Option<Vec<Facts>>, Error> {
        let Some(t) = super::optional(&self.tx, FACTS)? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for row in t.iter().map_err(db_err)? {
            let (k, v) = row.map_err(db_err)?;
            let first = usize::try_from(k.value().saturating_mul(BLOCK))
                .map_err(|_| Error::Database("the facts column is damaged".into()))?;
            out.resize(first, Facts::default());
            out.extend(
                v.value()
                    .chunks_exact(2)
                    .take(BLOCK as usize)
                    .map(|b| Facts(u16::from_le_bytes([b[0], b[1]]))),
            );
        }
        Ok(Some(out))
    }
}
