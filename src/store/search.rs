//! The keyword filter's search column (schema 3): every customer's case-folded search text,
//! stored in blocks of [`BLOCK`] consecutive ids, so a keyword search reads a few thousand
//! contiguous values and runs one substring search over each, instead of visiting a million
//! table entries.
//!
//! A block (key: id / `BLOCK`) is `n: u32`, then `n` × (`id: u64`, `end: u32`), then the
//! texts, each followed by a 0 byte; `end` is the offset just past a text. All little-endian,
//! ids ascending. A write rewrites the one block of each customer it changes.

use super::{db_err, Error, Reader, Writer};
use crate::domain::progress::Progress;
use redb::{ReadableTable, TableDefinition};
use std::ops::Range;

pub(super) const SEARCH: TableDefinition<u64, &[u8]> =
    TableDefinition::new("customer_search_blocks");
/// The column schema 2 kept: one entry per customer. Dropped by the upgrade.
pub(super) const SEARCH_V2: TableDefinition<u64, &[u8]> = TableDefinition::new("customer_search");

/// Customers per block: small enough that rewriting one for a single change is cheap
/// (some 40 KiB), large enough that a search reads few values.
const BLOCK: u64 = 512;

/// Blocks from which a search runs in two threads (about 64,000 customers); a debug build
/// splits far smaller columns, so tests of a few thousand customers take both paths.
const PARALLEL_FROM: u64 = if cfg!(debug_assertions) { 2 } else { 128 };

/// A customer a keyword search found: its id and its folded company.
pub type Hit = (u64, Box<str>);

/// The hit for a customer whose text matched: its id and the text's first field.
fn hit(id: u64, text: &[u8]) -> Hit {
    let first = text.split(|&b| b == 0x1f).next().unwrap_or_default();
    (id, String::from_utf8_lossy(first).into())
}

/// One block, decoded for a change.
#[derive(Default)]
struct Block {
    entries: Vec<(u64, Vec<u8>)>,
}

impl Block {
    fn decode(bytes: &[u8]) -> Result<Block, Error> {
        let view = View::of(bytes).ok_or_else(damaged)?;
        Ok(Block {
            entries: (0..view.len())
                .map(|i| (view.id(i), view.text(i).to_vec()))
                .collect(),
        })
    }

    fn encode(&self) -> Vec<u8> {
        let text: usize = self.entries.iter().map(|(_, t)| t.len() + 1).sum();
        let mut out = Vec::with_capacity(4 + 12 * self.entries.len() + text);
        out.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        let mut end = 0u32;
        for (id, t) in &self.entries {
            end += t.len() as u32;
            out.extend_from_slice(&id.to_le_bytes());
            out.extend_from_slice(&end.to_le_bytes());
            end += 1;
        }
        for (_, t) in &self.entries {
            out.extend_from_slice(t);
            out.push(0);
        }
        out
    }

    fn put(&mut self, id: u64, text: &[u8]) {
        match self.entries.binary_search_by_key(&id, |e| e.0) {
            Ok(i) => self.entries[i].1 = text.to_vec(),
            Err(i) => self.entries.insert(i, (id, text.to_vec())),
        }
    }

    fn remove(&mut self, id: u64) {
        if let Ok(i) = self.entries.binary_search_by_key(&id, |e| e.0) {
            self.entries.remove(i);
        }
    }
}

/// Whether a stored block can be read (for `check`).
pub(super) fn check_block(bytes: &[u8]) -> Result<(), Error> {
    View::of(bytes).map(drop).ok_or_else(damaged)
}

fn damaged() -> Error {
    Error::Database("the search column is damaged (run `check`, or restore a backup)".into())
}

/// A stored block read in place.
struct View<'a> {
    n: usize,
    heads: &'a [u8],
    text: &'a [u8],
}

impl<'a> View<'a> {
    fn of(bytes: &'a [u8]) -> Option<View<'a>> {
        let n = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
        let heads = bytes.get(4..4 + 12 * n)?;
        let text = &bytes[4 + 12 * n..];
        let view = View { n, heads, text };
        // Ends must rise and stay inside the text, so `text(i)` cannot fail.
        let mut start = 0;
        for i in 0..n {
            let end = view.end(i);
            if end < start || end >= text.len() {
                return None;
            }
            start = end + 1;
        }
        Some(view)
    }

    fn len(&self) -> usize {
        self.n
    }

    fn id(&self, i: usize) -> u64 {
        u64::from_le_bytes(self.heads[12 * i..12 * i + 8].try_into().unwrap_or([0; 8]))
    }

    fn end(&self, i: usize) -> usize {
        u32::from_le_bytes(
            self.heads[12 * i + 8..12 * i + 12]
                .try_into()
                .unwrap_or([0; 4]),
        ) as usize
    }

    fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.end(i - 1) + 1
        }
    }

    fn text(&self, i: usize) -> &'a [u8] {
        &self.text[self.start(i)..self.end(i)]
    }

    /// The index of the first text whose end is at or after `at` (binary search).
    fn first_ending_at_or_after(&self, at: usize) -> usize {
        let (mut lo, mut hi) = (0, self.n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.end(mid) < at {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Calls `hit` with the id of every text `find` finds something in, in id order.
    /// `find` gives the first match in a slice; one that spans two texts is no match.
    fn each_match(
        &self,
        find: &mut dyn FnMut(&[u8]) -> Option<Range<usize>>,
        hit: &mut dyn FnMut(u64, &[u8]),
    ) {
        let mut from = 0;
        while from < self.text.len() {
            let Some(m) = find(&self.text[from..]) else {
                return;
            };
            let (start, end) = (from + m.start, from + m.end);
            // The text holding the match's first byte.
            let i = self.first_ending_at_or_after(start);
            if i >= self.n {
                return;
            }
            if end <= self.end(i) {
                hit(self.id(i), self.text(i));
                from = self.end(i) + 1;
            } else {
                from = start + 1;
            }
        }
    }
}

impl Writer {
    /// Stores the search texts of `entries` (ids ascending), one block rewrite per block.
    pub(super) fn put_search<'t>(
        &self,
        entries: impl Iterator<Item = (u64, &'t [u8])>,
    ) -> Result<(), Error> {
        let mut t = self.tx.open_table(SEARCH).map_err(db_err)?;
        let mut current: Option<(u64, Block)> = None;
        for (id, text) in entries {
            let key = id / BLOCK;
            if current.as_ref().is_none_or(|(k, _)| *k != key) {
                if let Some((k, block)) = current.take() {
                    t.insert(k, block.encode().as_slice()).map_err(db_err)?;
                }
                let block = match t.get(key).map_err(db_err)? {
                    Some(v) => Block::decode(v.value())?,
                    None => Block::default(),
                };
                current = Some((key, block));
            }
            if let Some((_, block)) = current.as_mut() {
                block.put(id, text);
            }
            self.searched(id);
        }
        if let Some((k, block)) = current {
            t.insert(k, block.encode().as_slice()).map_err(db_err)?;
        }
        Ok(())
    }

    /// Removes a customer's search text.
    pub(super) fn remove_search(&self, id: u64) -> Result<(), Error> {
        self.searched(id);
        let mut t = self.tx.open_table(SEARCH).map_err(db_err)?;
        let key = id / BLOCK;
        let block = match t.get(key).map_err(db_err)? {
            Some(v) => Block::decode(v.value()),
            None => return Ok(()),
        };
        // A damaged block loses only the texts it held: `rebuild_search` restores them.
        let mut block = block.unwrap_or_default();
        block.remove(id);
        if block.entries.is_empty() {
            t.remove(key).map_err(db_err)?;
        } else {
            t.insert(key, block.encode().as_slice()).map_err(db_err)?;
        }
        Ok(())
    }

    /// Notes that a customer's search text changed in this transaction (`changes.rs`).
    fn searched(&self, id: u64) {
        let mut searched = self.searched.borrow_mut();
        if let Some(ids) = searched.as_mut() {
            ids.push(id);
            if ids.len() > super::changes::IDS {
                *searched = None;
            }
        }
    }

    /// Builds the column from the stored summaries (a schema-2 file's first writable open);
    /// a summary that cannot be read gets no text (`check` names it).
    pub(super) fn build_search(&self, progress: &dyn Progress) -> Result<(), Error> {
        let mut chunk: Vec<(u64, Vec<u8>)> = Vec::new();
        let put = |chunk: &mut Vec<(u64, Vec<u8>)>| {
            let put = self.put_search(chunk.iter().map(|(id, t)| (*id, t.as_slice())));
            chunk.clear();
            put
        };
        let ticker = self.walk_summaries(progress, |s| {
            chunk.push((s.id, s.haystack.into_bytes()));
            if chunk.len() >= 65_536 {
                put(&mut chunk)?;
            }
            Ok(())
        })?;
        put(&mut chunk)?;
        ticker.finish();
        Ok(())
    }

    /// Drops the schema-2 column (one entry per customer), whose texts the blocks replace.
    pub(super) fn drop_search_v2(&self) -> Result<(), Error> {
        self.tx.delete_table(SEARCH_V2).map_err(db_err)?;
        Ok(())
    }
}

impl Reader {
    /// The ids whose search text `find` finds something in, in id order, each with the
    /// text's first field (the folded company, which `Summary` puts first); `None` when the
    /// file has no search column (an older file opened read-only). A large column is
    /// searched in two halves at once (this machine class has two cores).
    pub fn search(
        &self,
        find: &(dyn Fn(&[u8]) -> Option<Range<usize>> + Sync),
    ) -> Result<Option<Vec<Hit>>, Error> {
        let Some(t) = super::optional(&self.tx, SEARCH)? else {
            return Ok(None);
        };
        let last = t.last().map_err(db_err)?.map_or(0, |(k, _)| k.value());
        let scan = |keys: Range<u64>| -> Result<Vec<Hit>, Error> {
            let mut hits = Vec::new();
            for row in t.range(keys).map_err(db_err)? {
                let (_, v) = row.map_err(db_err)?;
                View::of(v.value())
                    .ok_or_else(damaged)?
                    .each_match(&mut |text| find(text), &mut |id, text| {
                        hits.push(hit(id, text))
                    });
            }
            Ok(hits)
        };
        if last < PARALLEL_FROM {
            return scan(0..last + 1).map(Some);
        }
        let half = last / 2;
        let (lower, upper) = std::thread::scope(|s| {
            let upper = s.spawn(|| scan(half..last + 1));
            (scan(0..half), upper.join())
        });
        let mut ids = lower?;
        ids.extend(upper.map_err(|_| Error::Internal("a search thread failed".into()))??);
        Ok(Some(ids))
    }

    /// Those of `ids` (ascending) whose search text `find` finds something in, as
    /// [`Reader::search`] gives them; `None` when the file has no search column.
    pub fn search_in(
        &self,
        ids: &[u64],
        find: &dyn Fn(&[u8]) -> Option<Range<usize>>,
    ) -> Result<Option<Vec<Hit>>, Error> {
        let Some(t) = super::optional(&self.tx, SEARCH)? else {
            return Ok(None);
        };
        let mut hits = Vec::new();
        for same_block in ids.chunk_by(|a, b| a / BLOCK == b / BLOCK) {
            let Some(v) = t.get(same_block[0] / BLOCK).map_err(db_err)? else {
                continue;
            };
            let view = View::of(v.value()).ok_or_else(damaged)?;
            let mut i = 0;
            for &id in same_block {
                while i < view.len() && view.id(i) < id {
                    i += 1;
                }
                if i < view.len() && view.id(i) == id {
                    let text = view.text(i);
                    if find(text).is_some() {
                        hits.push(hit(id, text));
                    }
                }
            }
        }
        Ok(Some(hits))
    }

    /// Every stored search text, in id order (for comparing with a rebuild).
    pub(super) fn search_texts(&self) -> Result<Vec<(u64, Vec<u8>)>, Error> {
        let t = self.tx.open_table(SEARCH).map_err(db_err)?;
        let mut out = Vec::new();
        for row in t.iter().map_err(db_err)? {
            let (k, v) = row.map_err(db_err)?;
            let view = View::of(v.value()).ok_or_else(damaged)?;
            for i in 0..view.len() {
                if view.id(i) / BLOCK != k.value() {
                    return Err(damaged());
                }
                out.push((view.id(i), view.text(i).to_vec()));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finder(needle: &'static [u8]) -> impl FnMut(&[u8]) -> Option<Range<usize>> {
        move |hay: &[u8]| memchr::memmem::find(hay, needle).map(|p| p..p + needle.len())
    }

    #[test]
    fn a_block_finds_each_text_once_and_never_across_two() {
        let mut b = Block::default();
        for (id, t) in [(7, "abcab"), (3, "xa"), (9, ""), (12, "bcx"), (5, "ab")] {
            b.put(id, t.as_bytes());
        }
        b.put(5, b"zab");
        let bytes = b.encode();
        let view = View::of(&bytes).unwrap();
        let ids = |needle: &'static [u8]| {
            let mut out = Vec::new();
            view.each_match(&mut finder(needle), &mut |id, _| out.push(id));
            out
        };
        assert_eq!(ids(b"ab"), vec![5, 7]);
        assert_eq!(ids(b"a"), vec![3, 5, 7]);
        assert_eq!(ids(b"xa"), vec![3], "\"bcx\" then \"xa\" is not one text");
        assert_eq!(ids(b"bx"), Vec::<u64>::new());
        assert_eq!(ids(b"bcx"), vec![12]);
        let mut again = Block::decode(&bytes).unwrap();
        again.remove(7);
        again.remove(8);
        assert_eq!(
            again.entries.iter().map(|e| e.0).collect::<Vec<_>>(),
            vec![3, 5, 9, 12]
        );
    }

    #[test]
    fn damaged_blocks_are_refused_not_read_out_of_bounds() {
        let mut b = Block::default();
        b.put(1, b"hello");
        b.put(2, b"world");
        let bytes = b.encode();
        for cut in 0..bytes.len() {
            assert!(View::of(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut wrong = bytes.clone();
        wrong[4 + 8] = 200; // the first end, far past the text
        assert!(View::of(&wrong).is_none());
    }
}
