//! The one path by which new or replaced customers reach the store: validated customers
//! (with their new events) written in the caller's write transaction, with their summaries
//! and unique indexes. `import` and `demo` load in bulk through it; add and edit load one.
//! The plans, templates and firmware a load brings along are stored here too.
//!
//! Ids come from blocks reserved with `Writer::reserve_ids`, so a million customers do not
//! cost millions of counter updates; [`Loader::finish`] hands the unused rest back, so the
//! next id follows the last one used and a load gives the same ids as one-by-one adds.
//!
//! A new customer is not written table by table as it comes: the store checks its unique
//! names at once, then collects its record, summary, events, owner and unique-index entries
//! (`store::bulk`) and its sort-index and search entries (`store::order`), and inserts each
//! table's in key order a chunk at a time and before the commit. So the loader's memory is
//! its id blocks plus those chunks (some tens of MiB), whatever the number of customers; the
//! rest is the caller's (redb's cache and dirty pages of the open transaction, and for an
//! import the folded account names and companies its all-or-nothing check compares rows by).
//! A replaced customer (an edit, an import row for a stored account) is written at once.

use crate::domain::derive::{Catalog, OpenEvents};
use crate::domain::error::Result;
use crate::domain::model::{Customer, Event, Firmware, Plan, Template};
use crate::domain::summary::Summary;
use crate::store::{Read, Writer};

/// Hands out ids of one sequence from blocks reserved in the store.
struct IdBlock {
    sequence: &'static str,
    next: u64,
    end: u64,
}

impl IdBlock {
    const SIZE: u64 = 4096;

    const fn new(sequence: &'static str) -> IdBlock {
        IdBlock {
            sequence,
            next: 0,
            end: 0,
        }
    }

    fn take(&mut self, w: &Writer) -> Result<u64> {
        if self.next == self.end {
            self.next = w.reserve_ids(self.sequence, Self::SIZE)?;
            self.end = self.next + Self::SIZE;
        }
        self.next += 1;
        Ok(self.next - 1)
    }

    /// Returns the unused rest of the block.
    fn give_back(&self, w: &Writer) -> Result<()> {
        w.give_back_ids(self.sequence, self.next, self.end)
    }
}

/// Assigns an id from `block` when `id` is still 0 (not yet stored).
fn assign(id: &mut u64, block: &mut IdBlock, w: &Writer) -> Result<()> {
    if *id == 0 {
        *id = block.take(w)?;
    }
    Ok(())
}

/// A validated customer on its way into the store: new events to add and its summary.
pub struct Staged {
    pub customer: Customer,
    pub events: Vec<Event>,
    pub summary: Summary,
}

impl Staged {
    /// Stages `customer` with its new `events`; `stored` counts the open events the store
    /// already holds for it (none for a new customer).
    pub fn new(
        customer: Customer,
        events: Vec<Event>,
        stored: OpenEvents,
        catalog: &Catalog,
    ) -> Staged {
        let summary = Summary::of(&customer, open(stored, &events), catalog);
        Staged {
            customer,
            events,
            summary,
        }
    }

    /// Builds the summary again after the customer or its events changed in place. It needs
    /// no store, so a producer thread can do it while the writer writes.
    pub fn summarize(&mut self, stored: OpenEvents, catalog: &Catalog) {
        self.summary = Summary::of(&self.customer, open(stored, &self.events), catalog);
    }
}

/// The open events once `events` are added to the `stored` ones.
fn open(stored: OpenEvents, events: &[Event]) -> OpenEvents {
    let new = OpenEvents::of(events);
    OpenEvents {
        action_required: stored.action_required + new.action_required,
        warning: stored.warning + new.warning,
    }
}

/// Writes staged customers within one write transaction at a time; the caller commits.
/// Its id blocks carry over when the caller commits and continues with a new writer.
pub struct Loader {
    /// Customer, licence, device and event ids.
    ids: [IdBlock; 4],
}

impl Default for Loader {
    fn default() -> Loader {
        Loader::new()
    }
}

impl Loader {
    pub const fn new() -> Loader {
        Loader {
            ids: [
                IdBlock::new("customer"),
                IdBlock::new("license"),
                IdBlock::new("device"),
                IdBlock::new("event"),
            ],
        }
    }

    /// Writes one customer, new or replacing `old` (the stored version): ids still 0 are
    /// assigned, then its new events, the customer with its unique indexes and its summary.
    /// A clash in a unique index fails as a conflict.
    pub fn put(&mut self, w: &Writer, s: &mut Staged, old: Option<&Customer>) -> Result<()> {
        let [customers, licenses, devices, events] = &mut self.ids;
        let c = &mut s.customer;
        // A customer new to the store takes the bulk path: its keys cannot be stored yet.
        let new = c.id == 0 && old.is_none();
        assign(&mut c.id, customers, w)?;
        for l in &mut c.licenses {
            assign(&mut l.id, licenses, w)?;
        }
        for d in &mut c.devices {
            assign(&mut d.id, devices, w)?;
        }
        for e in &mut s.events {
            assign(&mut e.id, events, w)?;
            e.customer_id = c.id;
        }
        s.summary.id = c.id;
        if new {
            return w.add_customer(c, &s.events, &s.summary);
        }
        w.save_events(&s.events)?;
        w.save_customer(c, old, &s.summary)
    }

    /// Writes the customer of a single-customer task (add, edit, one import row), new or
    /// replacing `old`, with its summary over the open events already stored. Returns it with
    /// its ids.
    pub(crate) fn upsert(
        &mut self,
        w: &Writer,
        customer: Customer,
        old: Option<&Customer>,
        catalog: &Catalog,
    ) -> Result<Customer> {
        let stored = match old {
            Some(o) => w.open_events(o.id)?,
            None => OpenEvents::default(),
        };
        let mut s = Staged::new(customer, Vec::new(), stored, catalog);
        self.put(w, &mut s, old)?;
        Ok(s.customer)
    }

    /// Hands the unused ids back; call it before the last commit.
    pub fn finish(&self, w: &Writer) -> Result<()> {
        for block in &self.ids {
            block.give_back(w)?;
        }
        Ok(())
    }
}

/// Stores a new plan that a load brings along (checked by the caller), with a new id.
pub(crate) fn new_plan(w: &Writer, mut plan: Plan) -> Result<Plan> {
    plan.id = w.next_id("plan")?;
    w.save_plan(&plan)?;
    Ok(plan)
}

/// Stores a new template that a load brings along (checked by the caller).
pub(crate) fn new_template(w: &Writer, t: &Template) -> Result<()> {
    w.save_template(t, None)
}

/// Stores a firmware catalogue entry that a load brings along (checked by the caller).
pub(crate) fn firmware(w: &Writer, f: &Firmware) -> Result<()> {
    w.save_firmware(f)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::date::Timestamp;
    use crate::domain::model::{CustomerStatus, EventKind, Profile, Severity};
    use crate::store::{Access, Store};

    /// A new customer (id 0) named `name`, with nothing but its names.
    pub(in crate::tasks) fn customer(name: &str) -> Customer {
        let now = Timestamp::parse("2026-11-27T08:00:00Z").unwrap();
        Customer {
            id: 0,
            profile: Profile {
                company: format!("{name} Ltd"),
                account_name: name.to_string(),
                ..Profile::default()
            },
            status: CustomerStatus::Active,
            licenses: Vec::new(),
            devices: Vec::new(),
            wfbs_template: None,
            cloud_edge_template: None,
            policies: Default::default(),
            created_at: now,
            updated_at: now,
            last_transaction: now,
        }
    }

    /// A writable store on a new file, with the directory that holds it.
    fn fresh_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("load.redb"), Access::Write, 1 << 20).unwrap();
        (dir, store)
    }

    fn event(severity: Severity, resolved: bool) -> Event {
        let time = Timestamp::parse("2026-11-27T08:00:00Z").unwrap();
        Event {
            id: 0,
            customer_id: 0,
            kind: EventKind::System,
            severity,
            category: "backup".into(),
            message: "failed".into(),
            time,
            resolved_at: resolved.then_some(time),
        }
    }

    #[test]
    fn a_load_assigns_consecutive_ids_and_counts_open_events() {
        let (_dir, store) = fresh_store();
        let catalog = Catalog::default();
        let w = store.write().unwrap();
        let mut loader = Loader::new();
        for name in ["alpha", "beta"] {
            let events = vec![
                event(Severity::ActionRequired, false),
                event(Severity::Warning, true),
            ];
            let mut s = Staged::new(customer(name), events, OpenEvents::default(), &catalog);
            loader.put(&w, &mut s, None).unwrap();
        }
        loader.finish(&w).unwrap();
        assert_eq!(w.id_by_account("beta").unwrap(), Some(2));
        let open = w.open_events(2).unwrap();
        assert_eq!((open.action_required, open.warning), (1, 0));
        let mut summaries = Vec::new();
        w.each_summary(
            &mut |s| {
                summaries.push((s.id, s.open));
                Ok(true)
            },
            &mut |id| panic!("summary {id} unreadable"),
        )
        .unwrap();
        assert_eq!(summaries, [(1, open), (2, open)]);
        // The unused rest of each block is back: the next ids follow the last ones used.
        assert_eq!(w.next_id("customer").unwrap(), 3);
        assert_eq!(w.next_id("event").unwrap(), 5);
        // The unique indexes refuse a second customer of the same account name.
        let mut again = Staged::new(
            customer("alpha"),
            Vec::new(),
            OpenEvents::default(),
            &catalog,
        );
        assert!(matches!(
            loader.put(&w, &mut again, None),
            Err(crate::domain::error::Error::Conflict { .. })
        ));
    }

    #[test]
    fn a_clash_is_found_after_the_collected_entries_were_written() {
        let (_dir, store) = fresh_store();
        let catalog = Catalog::default();
        let w = store.write().unwrap();
        let mut loader = Loader::new();
        // More than a debug build's chunk of unique-index entries, so the first ones are in
        // the index by the time the clashes come.
        for i in 0..2_000 {
            let mut s = Staged::new(
                customer(&format!("acct{i}")),
                Vec::new(),
                OpenEvents::default(),
                &catalog,
            );
            loader.put(&w, &mut s, None).unwrap();
        }
        for name in ["ACCT0", "acct1999"] {
            let mut again =
                Staged::new(customer(name), Vec::new(), OpenEvents::default(), &catalog);
            let got = loader.put(&w, &mut again, None);
            assert!(
                matches!(got, Err(crate::domain::error::Error::Conflict { .. })),
                "{name}: {got:?}"
            );
        }
        assert_eq!(w.id_by_company("Acct0 LTD").unwrap(), Some(1));
        assert_eq!(w.id_by_account("nobody").unwrap(), None);
        loader.finish(&w).unwrap();
        w.commit().unwrap();
        let r = store.read().unwrap();
        assert_eq!(r.customer_count().unwrap(), 2_000);
        assert_eq!(r.id_by_account("acct1999").unwrap(), Some(2_000));
        assert!(r.index_mismatches().unwrap().is_empty());
    }

    #[test]
    fn the_file_holds_at_most_the_customer_limit() {
        let (_dir, mut store) = fresh_store();
        store.set_customer_limit(3);
        let catalog = Catalog::default();
        let staged = |name: &str, id: u64| {
            let mut c = customer(name);
            c.id = id;
            Staged::new(c, Vec::new(), OpenEvents::default(), &catalog)
        };
        let w = store.write().unwrap();
        let mut loader = Loader::new();
        for name in ["a", "b"] {
            loader.put(&w, &mut staged(name, 0), None).unwrap();
        }
        loader.finish(&w).unwrap();
        w.commit().unwrap();
        let w = store.write().unwrap();
        let mut loader = Loader::new();
        // A clash is not counted: the third customer still fits after it.
        assert!(loader.put(&w, &mut staged("A", 0), None).is_err());
        loader.put(&w, &mut staged("c", 0), None).unwrap();
        let refused = |got: Result<()>| match got {
            Err(crate::domain::error::Error::Refused(m)) => assert!(
                m.contains("holds 3 customers") && m.contains("customers per file"),
                "{m}"
            ),
            other => panic!("{other:?}"),
        };
        // Both paths by which a customer is new to the file: the bulk one and a stored id.
        refused(loader.put(&w, &mut staged("d", 0), None));
        refused(loader.put(&w, &mut staged("e", 99), None));
        // A deleted customer makes room, in the same transaction.
        let a = w.customer(1).unwrap().unwrap();
        w.remove_customer(&a).unwrap();
        loader.put(&w, &mut staged("d", 0), None).unwrap();
        refused(loader.put(&w, &mut staged("f", 0), None));
        loader.finish(&w).unwrap();
        w.commit().unwrap();
        assert_eq!(store.read().unwrap().customer_count().unwrap(), 3);
    }
}
