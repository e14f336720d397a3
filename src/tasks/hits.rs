//! A writable desk's keyword hits, kept from one search to the next: after a commit only the
//! customers whose search text changed since (`Store::search_changed_since`) are looked at
//! again, so a keyword asked right after a write costs those customers, not a pass over the
//! whole search column. Bounded by [`WORDS`] keywords and [`HITS`] hits in all; a keyword
//! with more hits is searched afresh each time.

use crate::domain::error::Result;
use crate::domain::summary::Query;
use crate::store::{Hit, Reader, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Keywords kept.
pub const WORDS: usize = 16;
/// Hits kept over all keywords (about 40 bytes each).
pub const HITS: usize = 262_144;

/// By folded keyword: the generation the hits are known good for, and the hits.
type Words = HashMap<String, (u64, Arc<[Hit]>)>;

#[derive(Default)]
pub struct KeptHits {
    words: Mutex<Words>,
}

impl KeptHits {
    /// The hits of `word` (folded; `q` finds it) in the snapshot `r`, begun after the store
    /// was at `generation`; `None` when the file has no search column.
    pub fn find(
        &self,
        store: &Store,
        r: &Reader,
        word: &str,
        q: &Query,
        generation: u64,
    ) -> Result<Option<Arc<[Hit]>>> {
        let find = |text: &[u8]| q.find_in(text);
        if store.is_read_only() {
            // Another process writes: nothing is known about its commits.
            return Ok(r.search(&find)?.map(Arc::from));
        }
        let kept = self.lock().get(word).cloned();
        let patched: Option<Arc<[Hit]>> = match kept {
            // Hits kept from a later snapshot than `r` are not used for it.
            Some((at, hits)) if at <= generation => match store.search_changed_since(at) {
                Some(changed) if changed.is_empty() => Some(hits),
                Some(changed) => r
                    .search_in(&changed, &find)?
                    .map(|fresh| merge(&hits, &changed, fresh).into()),
                None => None,
            },
            _ => None,
        };
        let hits = match patched {
            Some(hits) => hits,
            None => match r.search(&find)? {
                Some(all) => Arc::from(all),
                None => return Ok(None),
            },
        };
        self.keep(word, generation, &hits);
        Ok(Some(hits))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Words> {
        self.words.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `hits`, tagged with the generation read before their snapshot began: the
    /// next search re-reads every customer changed after it, which is harmless for those
    /// the snapshot already saw.
    fn keep(&self, word: &str, generation: u64, hits: &Arc<[Hit]>) {
        let mut words = self.lock();
        words.remove(word);
        if hits.len() > HITS {
            return;
        }
        let held: usize = words.values().map(|(_, h)| h.len()).sum();
        if words.len() >= WORDS || held + hits.len() > HITS {
            words.clear();
        }
        words.insert(word.to_string(), (generation, hits.clone()));
    }
}

/// `kept` (id order) without the `changed` customers (sorted), with `fresh` (their hits,
/// id order) in their place.
fn merge(kept: &[Hit], changed: &[u64], fresh: Vec<Hit>) -> Vec<Hit> {
    let mut out = Vec::with_capacity(kept.len() + fresh.len());
    let mut fresh = fresh.into_iter().peekable();
    for h in kept {
        if changed.binary_search(&h.0).is_ok() {
            continue;
        }
        while let Some(f) = fresh.next_if(|f| f.0 < h.0) {
            out.push(f);
        }
        out.push(h.clone());
    }
    out.extend(fresh);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(ids: &[u64]) -> Vec<Hit> {
        ids.iter()
            .map(|&id| (id, format!("c{id}").into()))
            .collect()
    }

    #[test]
    fn at_most_the_bounds_are_kept() {
        let kept = KeptHits::default();
        let few: Arc<[Hit]> = hits(&[1, 2]).into();
        for w in 0..WORDS {
            kept.keep(&format!("w{w}"), 7, &few);
        }
        assert_eq!(kept.lock().len(), WORDS);
        // One keyword more starts afresh rather than growing past the bound.
        kept.keep("more", 7, &few);
        assert_eq!(kept.lock().keys().collect::<Vec<_>>(), ["more"]);
        // A keyword with more hits than all may hold is not kept; one at the bound is.
        let ids: Vec<u64> = (0..HITS as u64).collect();
        let at_bound: Arc<[Hit]> = hits(&ids).into();
        kept.keep("all", 7, &at_bound);
        assert_eq!(kept.lock().get("all").map(|(_, h)| h.len()), Some(HITS));
        let past: Arc<[Hit]> = hits(&(0..=HITS as u64).collect::<Vec<_>>()).into();
        kept.keep("past", 7, &past);
        assert!(kept.lock().get("past").is_none());
    }

    #[test]
    fn changed_customers_leave_and_come_back_in_id_order() {
        let kept = hits(&[2, 4, 6, 8]);
        // 4 no longer matches, 5 and 9 now do, 8 still does, 1 changed without matching.
        let got = merge(&kept, &[1, 4, 5, 8, 9], hits(&[5, 8, 9]));
        assert_eq!(got, hits(&[2, 5, 6, 8, 9]));
        assert_eq!(merge(&[], &[3], hits(&[3])), hits(&[3]));
        assert_eq!(merge(&kept, &[2, 4, 6, 8], Vec::new()), Vec::<Hit>::new());
    }
}
