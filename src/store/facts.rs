//! The facts columns (schema 3 and 4): per customer a few bytes, in blocks of [`BLOCK`]
//! consecutive ids (key: id / `BLOCK`; a slot of 0 holds no customer), so a filter on them
//! reads about a byte or two per customer instead of every summary, and counts its total
//! from the same column.
//!
//! - `customer_facts` (schema 3): every customer's [`Facts`] — account type, status,
//!   products, managed — in two bytes: a filter on these facts, and the view setting
//!   "managed", read it (about 2 MiB for a million customers) and a sort index.
//! - `customer_day_facts` (schema 4): every customer's [`DayFacts`] — licence status and
//!   reason categories — in one byte, valid for the attention order's day and written
//!   wherever its attention entries are (`attention.rs`), so it is exactly as fresh.

use super::{db_err, Error, Reader, Writer};
use crate::domain::summary::{DayFacts, Facts};
use redb::{ReadableTable, TableDefinition};

type Def = TableDefinition<'static, u64, &'static [u8]>;

pub(super) const FACTS: Def = TableDefinition::new("customer_facts");
pub(super) const DAY_FACTS: Def = TableDefinition::new("customer_day_facts");

const BLOCK: u64 = 4096;

/// A column of `width`-byte little-endian cells, one per id.
pub(super) struct Column {
    def: Def,
    width: usize,
    name: &'static str,
}

pub(super) const FACTS_COLUMN: Column = Column {
    def: FACTS,
    width: 2,
    name: "facts",
};
pub(super) const DAY_FACTS_COLUMN: Column = Column {
    def: DAY_FACTS,
    width: 1,
    name: "day facts",
};

impl Column {
    fn block_len(&self) -> usize {
        self.width * BLOCK as usize
    }

    /// Whether a stored block has the right size (for `check`).
    pub(super) fn check_block(&self, bytes: &[u8]) -> Result<(), Error> {
        if bytes.len() == self.block_len() {
            Ok(())
        } else {
            Err(Error::Database(format!(
                "a {} block holds {} bytes instead of {}",
                self.name,
                bytes.len(),
                self.block_len()
            )))
        }
    }

    /// Stores the cells of `entries` (ids ascending), one block rewrite per block.
    fn put(&self, w: &Writer, entries: impl Iterator<Item = (u64, u16)>) -> Result<(), Error> {
        let mut t = w.tx.open_table(self.def).map_err(db_err)?;
        let mut current: Option<(u64, Vec<u8>)> = None;
        for (id, cell) in entries {
            let key = id / BLOCK;
            if current.as_ref().is_none_or(|(k, _)| *k != key) {
                if let Some((k, block)) = current.take() {
                    t.insert(k, block.as_slice()).map_err(db_err)?;
                }
                let block = match t.get(key).map_err(db_err)? {
                    Some(v) if v.value().len() == self.block_len() => v.value().to_vec(),
                    // A damaged block loses only its own cells; a rebuild restores them.
                    _ => vec![0; self.block_len()],
                };
                current = Some((key, block));
            }
            if let Some((_, block)) = current.as_mut() {
                let at = (id % BLOCK) as usize * self.width;
                block[at..at + self.width].copy_from_slice(&cell.to_le_bytes()[..self.width]);
            }
        }
        if let Some((k, block)) = current {
            t.insert(k, block.as_slice()).map_err(db_err)?;
        }
        Ok(())
    }

    /// Every id's cell (absent ids hold 0); `None` when the file has no such column.
    pub(super) fn read(&self, r: &Reader) -> Result<Option<Vec<u16>>, Error> {
        let Some(t) = super::optional(&r.tx, self.def)? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for row in t.iter().map_err(db_err)? {
            let (k, v) = row.map_err(db_err)?;
            let first = usize::try_from(k.value().saturating_mul(BLOCK))
                .map_err(|_| Error::Database(format!("the {} column is damaged", self.name)))?;
            out.resize(first, 0);
            let cells = v.value();
            let cells = &cells[..cells.len().min(self.block_len())];
            // One loop per width, each simple enough for the compiler to vectorise: this
            // runs over every customer on each page a filter on the column reads.
            match self.width {
                1 => out.extend(cells.iter().map(|&b| u16::from(b))),
                _ => out.extend(
                    cells
                        .chunks_exact(2)
                        .map(|b| u16::from_le_bytes([b[0], b[1]])),
                ),
            }
        }
        Ok(Some(out))
    }
}

impl Writer {
    /// Stores the facts of `entries` (ids ascending).
    pub(super) fn put_facts(
        &self,
        entries: impl Iterator<Item = (u64, Facts)>,
    ) -> Result<(), Error> {
        FACTS_COLUMN.put(self, entries.map(|(id, f)| (id, f.0)))
    }

    /// Clears a customer's facts.
    pub(super) fn clear_facts(&self, id: u64) -> Result<(), Error> {
        self.put_facts(std::iter::once((id, Facts::default())))
    }

    /// Stores the day facts of `entries` (ids ascending).
    pub(super) fn put_day_facts(
        &self,
        entries: impl Iterator<Item = (u64, DayFacts)>,
    ) -> Result<(), Error> {
        DAY_FACTS_COLUMN.put(self, entries.map(|(id, f)| (id, u16::from(f.0))))
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
        Ok(FACTS_COLUMN
            .read(self)?
            .map(|cells| cells.into_iter().map(Facts).collect()))
    }
}
