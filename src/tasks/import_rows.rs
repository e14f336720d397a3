//! The rows of an import file, read and parsed on a thread of their own while the import
//! checks and stores the rows before them: reading, splitting and decoding a million rows
//! takes about as long as storing them, and the two need not wait for each other.
//!
//! Rows travel in batches of [`ROWS`] through a queue of [`QUEUED`] batches, so the parser
//! runs at most that far ahead and memory stays bounded whatever the file's size. A batch
//! the import is done with goes back to the parser (at most [`QUEUED`] on the way), which
//! frees it: its strings were made there, and the allocator frees a block on the thread
//! that made it at a fraction of the cost of freeing it on another (at 1M rows the storing
//! thread spent a tenth of its time freeing the parser's rows).

use crate::domain::error::{Error, FieldError, Result};
use crate::domain::licence_entries;
use crate::domain::model::{Customer, Profile};
use crate::domain::threads;
use crate::domain::validate::{self, CustomerInput};
use crate::tasks::csv::{unguard, HEADER};
use std::io::Read;

/// Rows per batch handed from the parser to the import.
const ROWS: usize = 256;

/// Batches the parser may have waiting.
const QUEUED: usize = 8;

/// The reader's buffer: fewer, larger reads than the csv crate's 8 KiB default.
const READ_BUFFER: usize = 64 << 10;

/// A data row as the import needs it.
pub(super) struct Row {
    /// Its line in the file (a quoted cell may span several; this is where it starts).
    pub line: u64,
    pub input: CustomerInput,
    /// What is wrong with its cells on their own (the licence list's syntax).
    pub errors: Vec<FieldError>,
    /// Its profile as a new customer's (`validate::profile` with no earlier one), checked
    /// here on the reading thread; a row that updates a customer is checked again over it.
    pub profile: Result<Profile, Vec<FieldError>>,
}

pub(super) enum Parsed {
    Row(Box<Row>),
    /// A row that cannot be read as cells: the wrong number, or bytes that are not UTF-8.
    Bad {
        line: u64,
        error: FieldError,
    },
}

pub(super) struct Batch {
    pub rows: Vec<Parsed>,
    /// Bytes of the input read up to the end of the batch's last row.
    pub read: u64,
    /// Customers the import built from these rows and is done with, freed with the batch.
    pub spent: Vec<Customer>,
}

impl Batch {
    fn new(rows: Vec<Parsed>, read: u64) -> Batch {
        Batch {
            rows,
            read,
            spent: Vec::new(),
        }
    }
}

/// Reads the CSV `input` (a header row, then data rows), handing its rows in order to
/// `take`, a batch at a time; `take` may take what it needs out of the rows and leaves the
/// customers it is done with in `spent`. A row that cannot be split into cells stops
/// everything (the input is not CSV past that point); so does an error from `take`, which
/// is returned. `raw` keeps a leading `'` that guards a cell (see [`unguard`]).
pub(super) fn each_batch(
    input: &mut (dyn Read + Send),
    raw: bool,
    mut take: impl FnMut(&mut Batch) -> Result<()>,
) -> Result<()> {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(QUEUED);
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Batch>(QUEUED);
        // On a refused thread the closure (and with it `input`) is dropped unrun.
        let parser = threads::scoped(scope, "import-rows", move || {
            let mut send = |batch| {
                tx.send(batch)
                    .map_err(|_| Error::Internal("the import stopped reading rows".into()))
            };
            // Frees the batches the import is done with here, keeping one's room for rows.
            let mut next = || {
                let room = done_rx.try_iter().last().map(|mut b| {
                    b.rows.clear();
                    b.rows
                });
                room.unwrap_or_else(|| Vec::with_capacity(ROWS))
            };
            parse(input, raw, &mut send, &mut next)
        })?;
        let taken = rx.iter().try_for_each(|mut batch| {
            take(&mut batch)?;
            // Never waits: with the way back full, this batch is freed here.
            let _ = done_tx.try_send(batch);
            Ok(())
        });
        // A sender waiting on a full queue wakes with an error and stops.
        drop(rx);
        let parsed = parser
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the import's row reader failed".into())));
        // The import's own error comes first: the parser's is then only that it was stopped.
        taken.and(parsed)
    })
}

/// Parses `input`, handing each full batch (and the last, partial one) to `send`; `room`
/// gives the (empty) vector each next batch fills.
fn parse(
    input: &mut (dyn Read + Send),
    raw: bool,
    send: &mut dyn FnMut(Batch) -> Result<()>,
    room: &mut dyn FnMut() -> Vec<Parsed>,
) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(READ_BUFFER)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).map_err(read_error)? {
        return Err(Error::Csv(format!(
            "the CSV is empty; it needs the header row: {}",
            HEADER.join(",")
        )));
    }
    check_header(&record)?;
    let mut rows = room();
    while reader.read_byte_record(&mut record).map_err(read_error)? {
        let line = record.position().map_or(0, |p| p.line());
        rows.push(match cells(&record, raw) {
            Ok(cells) => Parsed::Row(Box::new(row(line, &cells))),
            Err(error) => Parsed::Bad { line, error },
        });
        if rows.len() == ROWS {
            let read = reader.position().byte();
            send(Batch::new(std::mem::replace(&mut rows, room()), read))?;
        }
    }
    let read = reader.position().byte();
    send(Batch::new(rows, read))
}

fn check_header(record: &csv::ByteRecord) -> Result<()> {
    let got: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let s = String::from_utf8_lossy(f).into_owned();
            if i == 0 {
                s.trim_start_matches('\u{feff}').to_string()
            } else {
                s
            }
        })
        .collect();
    if got.iter().map(|s| s.trim()).eq(HEADER.iter().copied()) {
        return Ok(());
    }
    let at = HEADER
        .iter()
        .zip(got.iter())
        .position(|(want, have)| want != &have.trim())
        .unwrap_or(got.len().min(HEADER.len()));
    let problem = match (HEADER.get(at), got.get(at)) {
        (Some(want), Some(have)) => format!("column {} is `{have}` but must be `{want}`", at + 1),
        (Some(want), None) => format!("column {} `{want}` is missing", at + 1),
        (None, Some(have)) => format!("column {} `{have}` is not expected", at + 1),
        (None, None) => String::new(),
    };
    Err(Error::Csv(format!(
        "line 1: the header row does not match ({problem}); it must be exactly: {}",
        HEADER.join(",")
    )))
}

/// Why the CSV stopped: the input could not be read at all, or a line is malformed.
fn read_error(e: csv::Error) -> Error {
    if let csv::ErrorKind::Io(io) = e.kind() {
        return Error::Io(match io.raw_os_error() {
            Some(libc::EISDIR) => "the input is a directory; give a CSV file".to_string(),
            _ => format!("the CSV cannot be read: {io}"),
        });
    }
    let line = e.position().map_or(1, |p| p.line());
    Error::Csv(format!(
        "line {line}: the CSV cannot be read ({e}); check the quoting"
    ))
}

/// The row's cells as text (each checked to be UTF-8, the columns an import ignores too),
/// borrowed from `record`.
fn cells(
    record: &csv::ByteRecord,
    raw: bool,
) -> std::result::Result<[&str; HEADER.len()], FieldError> {
    if record.len() != HEADER.len() {
        return Err(FieldError::new(
            "row",
            format!(
                "has {} cells but the header has {}; check commas and quotes",
                record.len(),
                HEADER.len()
            ),
        ));
    }
    let mut cells = [""; HEADER.len()];
    for (i, (cell, f)) in cells.iter_mut().zip(record.iter()).enumerate() {
        let s = std::str::from_utf8(f).map_err(|_| {
            FieldError::new(HEADER[i], "is not valid UTF-8; save the file as UTF-8")
        })?;
        *cell = if raw { s } else { unguard(s) };
    }
    Ok(cells)
}

/// The row of `cells`: the columns an import reads are copied into the input; the others
/// (derived on export) are ignored.
fn row(line: u64, cells: &[&str; HEADER.len()]) -> Row {
    let mut errors = Vec::new();
    let licenses = match licence_entries::parse_list(cells[17]) {
        Ok(l) => Some(l),
        Err(m) => {
            errors.push(FieldError::new("licenses", m));
            None
        }
    };
    let s = |i: usize| Some(cells[i].to_string());
    let input = CustomerInput {
        company: s(1),
        account_name: s(2),
        account_type: s(3),
        status: s(4),
        contact_first_name: s(5),
        contact_last_name: s(6),
        email: s(7),
        phone: s(8),
        address: s(9),
        city: s(10),
        state: s(11),
        postal_code: s(12),
        country: s(13),
        time_zone: s(14),
        language: s(15),
        licenses,
        wfbs_template: s(26),
        cloud_edge_template: s(27),
        notes: s(30),
        ..CustomerInput::default()
    };
    Row {
        line,
        profile: validate::profile(&input, None),
        input,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::load::tests::customer;

    /// A CSV of `rows` data rows whose company is `Firma {i}` and account `acct-{i}`.
    fn csv(rows: usize) -> Vec<u8> {
        let mut out = HEADER.join(",").into_bytes();
        for i in 0..rows {
            let mut cells = vec![String::new(); HEADER.len()];
            cells[1] = format!("\"Firma, {i}\"");
            cells[2] = format!(" acct-{i} ");
            out.extend(format!("\n{}", cells.join(",")).bytes());
        }
        out
    }

    fn lines_of(input: &[u8]) -> Result<Vec<(u64, String)>> {
        let mut seen = Vec::new();
        let mut last_read = 0;
        each_batch(&mut &input[..], false, |batch| {
            assert!(batch.read > last_read, "the bytes read only grow");
            last_read = batch.read;
            for row in &batch.rows {
                match row {
                    Parsed::Row(r) => {
                        let account = r.input.account_name.as_deref().unwrap_or_default();
                        seen.push((r.line, account.trim().to_string()))
                    }
                    Parsed::Bad { line, error } => seen.push((*line, error.field.clone())),
                }
            }
            Ok(())
        })?;
        assert_eq!(last_read, input.len() as u64);
        Ok(seen)
    }

    #[test]
    fn rows_arrive_in_order_across_many_batches() {
        let n = ROWS * (QUEUED + 3) + 7;
        let seen = lines_of(&csv(n)).unwrap();
        let want: Vec<_> = (0..n)
            .map(|i| (i as u64 + 2, format!("acct-{i}")))
            .collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn a_bad_row_is_reported_in_its_place_and_the_rest_go_on() {
        let mut input = csv(3);
        input.extend(b"\nonly,three,cells");
        input.extend(b"\n\xff");
        input.extend(&csv(1)[HEADER.join(",").len()..]);
        let seen = lines_of(&input).unwrap();
        let fields: Vec<_> = seen.iter().map(|(l, f)| (*l, f.as_str())).collect();
        assert_eq!(
            fields,
            [
                (2, "acct-0"),
                (3, "acct-1"),
                (4, "acct-2"),
                (5, "row"),
                (6, "row"),
                (7, "acct-0")
            ]
        );
    }

    /// Batches go back to the parser with the customers built from them; a way back that is
    /// full (the parser busy or finished) never holds the import up.
    #[test]
    fn spent_batches_go_back_without_holding_the_import_up() {
        let n = ROWS * QUEUED * 3 + 1;
        let mut rows = 0;
        each_batch(&mut &csv(n)[..], false, |batch| {
            rows += batch.rows.len();
            let spent = batch.rows.iter().map(|_| customer("spent"));
            batch.spent.extend(spent);
            Ok(())
        })
        .unwrap();
        assert_eq!(rows, n);
    }

    #[test]
    fn an_empty_input_and_a_wrong_header_are_refused() {
        let empty = lines_of(b"").unwrap_err().to_string();
        assert!(empty.contains("the CSV is empty"), "{empty}");
        let header = lines_of(b"company,id\n1,2").unwrap_err().to_string();
        assert!(header.contains("column 1 is `company`"), "{header}");
    }

    /// The import's own error stops the parser, even one far ahead with a full queue.
    #[test]
    fn an_error_of_the_import_stops_the_parser() {
        let input = csv(ROWS * QUEUED * 4);
        let mut batches = 0;
        let err = each_batch(&mut &input[..], false, |_| {
            batches += 1;
            Err(Error::Internal("the store failed".into()))
        })
        .unwrap_err();
        assert_eq!(batches, 1);
        assert!(err.to_string().contains("the store failed"), "{err}");
    }

    /// An input that fails part way: the full batches before it arrive, then its error.
    #[test]
    fn a_read_error_comes_after_the_rows_before_it() {
        struct Failing(std::io::Cursor<Vec<u8>>);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match self.0.read(buf)? {
                    0 => Err(std::io::Error::other("the disk went away")),
                    n => Ok(n),
                }
            }
        }
        let mut input = Failing(std::io::Cursor::new(csv(ROWS + 5)));
        let mut rows = 0;
        let err = each_batch(&mut input, false, |b| {
            rows += b.rows.len();
            Ok(())
        })
        .unwrap_err();
        assert!(err.to_string().contains("the disk went away"), "{err}");
        assert_eq!(rows, ROWS);
    }
}
