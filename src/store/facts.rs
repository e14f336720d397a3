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
//! - `customer_open_events` (schema 7): every customer's open event counts (action required,
//!   warning) in eight bytes, written with its summary: an unfiltered export reads them
//!   here (8 MiB for a million customers) instead of every summary (some 200 MiB).

use super::{db_err, Error, Reader, Writer};
use crate::domain::derive::OpenEvents;
use crate::domain::progress::{Progress, Quiet};
use crate::domain::summary::{DayFacts, Facts};
use redb::{ReadOnlyTable, ReadableTable, TableDefinition};
use std::ops::{Range, RangeBounds};

type Def = TableDefinition<'static, u64, &'static [u8]>;

pub(super) const FACTS: Def = TableDefinition::new("customer_facts");
pub(super) const DAY_FACTS: Def = TableDefinition::new("customer_day_facts");
pub(super) const OPEN: Def = TableDefinition::new("customer_open_events");

const BLOCK: u64 = 4096;

/// A customer's cell of a column, from its stored summary (`None` if it cannot be read).
type OfSummary = fn(&[u8]) -> Option<u64>;

/// A column of `width`-byte little-endian cells, one per id.
pub(super) struct Column {
    def: Def,
    width: usize,
    name: &'static str,
    /// A customer's cell from its stored summary, for the columns that follow from the
    /// summary alone: a damaged block is built again from the summaries when next written.
    of_summary: Option<OfSummary>,
}

pub(super) const FACTS_COLUMN: Column = Column {
    def: FACTS,
    width: 2,
    name: "facts",
    of_summary: Some(|v| {
        let s = super::decode_summary(v).ok()?;
        Some(u64::from(Facts::of(&s).0))
    }),
};
pub(super) const DAY_FACTS_COLUMN: Column = Column {
    def: DAY_FACTS,
    width: 1,
    name: "day facts",
    // They are for the attention order's day: a damaged block's cells read as none until
    // the order is built again.
    of_summary: None,
};
pub(super) const OPEN_COLUMN: Column = Column {
    def: OPEN,
    width: 8,
    name: "open events",
    of_summary: Some(|v| super::records::decode_summary_open(v).ok().map(open_cell)),
};

/// An open-events cell: action required in the low half, warning in the high one.
fn open_cell(o: OpenEvents) -> u64 {
    u64::from(o.action_required) | u64::from(o.warning) << 32
}

fn open_of(cell: u64) -> OpenEvents {
    OpenEvents {
        action_required: cell as u32,
        warning: (cell >> 32) as u32,
    }
}

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
    fn put(&self, w: &Writer, entries: impl Iterator<Item = (u64, u64)>) -> Result<(), Error> {
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
                    Some(_) => self.rebuilt(w, key)?,
                    None => vec![0; self.block_len()],
                };
                current = Some((key, block));
            }
            if let Some((_, block)) = current.as_mut() {
                self.set(block, id, cell);
            }
        }
        if let Some((k, block)) = current {
            t.insert(k, block.as_slice()).map_err(db_err)?;
        }
        Ok(())
    }

    /// The cells of the customers whose ids fall in `ids`, from their stored summaries (a
    /// customer whose summary cannot be read gets none; `check` names it); none at all for
    /// a column that does not follow from the summaries.
    /// `progress` hears summaries read of all summaries.
    fn cells_of_summaries(
        &self,
        w: &Writer,
        ids: impl RangeBounds<u64>,
        progress: &dyn Progress,
    ) -> Result<Vec<(u64, u64)>, Error> {
        let Some(of_summary) = self.of_summary else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let ticker = w.walk_summary_bytes(ids, progress, |id, v| {
            out.extend(of_summary(v).map(|cell| (id, cell)));
            Ok(())
        })?;
        ticker.finish();
        Ok(out)
    }

    /// Block `key` built again from the stored summaries of its ids, for a damaged one
    /// about to be written; a column that does not follow from the summaries gets an empty
    /// block (its other cells lost, as they were).
    fn rebuilt(&self, w: &Writer, key: u64) -> Result<Vec<u8>, Error> {
        let mut block = vec![0; self.block_len()];
        let first = key.saturating_mul(BLOCK);
        for (id, cell) in self.cells_of_summaries(w, first..first.saturating_add(BLOCK), &Quiet)? {
            self.set(&mut block, id, cell);
        }
        Ok(block)
    }

    /// Builds the whole column from the stored summaries (a file's first writable open
    /// under the schema that added it).
    fn build(&self, w: &Writer, progress: &dyn Progress) -> Result<(), Error> {
        let all = self.cells_of_summaries(w, .., progress)?;
        self.put(w, all.into_iter())
    }

    /// The cells of the ids in `ids`, in order, from the column's table `t`; `None` when
    /// a block they fall in is missing or damaged (the caller reads what the column holds
    /// elsewhere).
    fn cells(
        &self,
        t: &ReadOnlyTable<u64, &'static [u8]>,
        ids: Range<u64>,
    ) -> Result<Option<Vec<u64>>, Error> {
        let mut out = Vec::with_capacity(usize::try_from(ids.end - ids.start).unwrap_or(0));
        let mut id = ids.start;
        while id < ids.end {
            let key = id / BLOCK;
            let upto = ids.end.min((key + 1).saturating_mul(BLOCK));
            match t.get(key).map_err(db_err)? {
                Some(block) if self.check_block(block.value()).is_ok() => {
                    out.extend((id..upto).map(|i| self.cell_at(block.value(), i)));
                }
                _ => return Ok(None),
            }
            id = upto;
        }
        Ok(Some(out))
    }

    /// Sets id `i`'s cell in its block.
    fn set(&self, block: &mut [u8], i: u64, cell: u64) {
        let at = (i % BLOCK) as usize * self.width;
        block[at..at + self.width].copy_from_slice(&cell.to_le_bytes()[..self.width]);
    }

    /// The cell of id `i` in its block (0 where the block is short).
    fn cell_at(&self, block: &[u8], i: u64) -> u64 {
        let at = (i % BLOCK) as usize * self.width;
        let mut cell = [0u8; 8];
        if let Some(b) = block.get(at..at + self.width) {
            cell[..self.width].copy_from_slice(b);
        }
        u64::from_le_bytes(cell)
    }

    /// Every id's cell (absent ids hold 0); `None` when the file has no such column. For
    /// the columns of one or two bytes.
    pub(super) fn read(&self, r: &Reader) -> Result<Option<Vec<u16>>, Error> {
        debug_assert!(self.width <= 2);
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
        FACTS_COLUMN.put(self, entries.map(|(id, f)| (id, u64::from(f.0))))
    }

    /// Stores the open event counts of `entries` (ids ascending).
    pub(super) fn put_open(
        &self,
        entries: impl Iterator<Item = (u64, OpenEvents)>,
    ) -> Result<(), Error> {
        OPEN_COLUMN.put(self, entries.map(|(id, o)| (id, open_cell(o))))
    }

    /// Clears a customer's cells in the facts and open-events columns.
    pub(super) fn clear_columns(&self, id: u64) -> Result<(), Error> {
        self.put_facts(std::iter::once((id, Facts::default())))?;
        self.put_open(std::iter::once((id, OpenEvents::default())))
    }

    /// Stores the day facts of `entries` (ids ascending).
    pub(super) fn put_day_facts(
        &self,
        entries: impl Iterator<Item = (u64, DayFacts)>,
    ) -> Result<(), Error> {
        DAY_FACTS_COLUMN.put(self, entries.map(|(id, f)| (id, u64::from(f.0))))
    }

    /// Builds the facts column from the stored summaries (a schema-2 file's first writable
    /// open).
    pub(super) fn build_facts(&self, progress: &dyn Progress) -> Result<(), Error> {
        FACTS_COLUMN.build(self, progress)
    }

    /// Builds the open-events column from the stored summaries (the first writable open of
    /// a file of schema 2 to 6).
    pub(super) fn build_open(&self, progress: &dyn Progress) -> Result<(), Error> {
        OPEN_COLUMN.build(self, progress)
    }
}

/// The open-events column of a read transaction, when the file has one (schema 7).
pub struct OpenColumn(ReadOnlyTable<u64, &'static [u8]>);

impl OpenColumn {
    /// The open event counts of the ids in `ids`, in order (none for an id without a
    /// customer); `None` when a block of them is missing or damaged.
    pub fn of(&self, ids: Range<u64>) -> Result<Option<Vec<OpenEvents>>, Error> {
        Ok(OPEN_COLUMN
            .cells(&self.0, ids)?
            .map(|cells| cells.into_iter().map(open_of).collect()))
    }
}

impl Reader {
    /// The open-events column; `None` when the file has none (an older file opened
    /// read-only).
    pub(super) fn open_column(&self) -> Result<Option<OpenColumn>, Error> {
        Ok(super::optional(&self.tx, OPEN)?.map(OpenColumn))
    }

    /// Every customer's open event counts from the column, by id, those of none left out
    /// (for `index_mismatches`).
    pub(super) fn open_cells(&self) -> Result<Vec<(u64, OpenEvents)>, Error> {
        let Some(t) = super::optional(&self.tx, OPEN)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for row in t.iter().map_err(db_err)? {
            let (k, v) = row.map_err(db_err)?;
            let first = k.value().saturating_mul(BLOCK);
            out.extend(
                (first..first.saturating_add(BLOCK))
                    .map(|id| (id, OPEN_COLUMN.cell_at(v.value(), id)))
                    .filter(|&(_, c)| c != 0)
                    .map(|(id, c)| (id, open_of(c))),
            );
        }
        Ok(out)
    }

    /// Every customer's facts, indexed by id (absent ids hold `Facts::default()`); `None`
    /// when the file has no facts column (an older file opened read-only).
    pub fn facts(&self) -> Result<Option<Vec<Facts>>, Error> {
        Ok(FACTS_COLUMN
            .read(self)?
            .map(|cells| cells.into_iter().map(Facts).collect()))
    }
}
