//! The least an import of a CSV file into redb can cost with the crates clientele is built
//! on: read the file with the csv crate and put each row's cells, as they are, into one
//! table under the row's number, through a cursor at the table's end (the vendored redb's
//! fastest way in), in one write transaction, with the page cache `clientele import` uses
//! (32 MiB). No cell is checked; no customer record, summary, index or search text is made.
//! `bench/scale.sh` times it beside `clientele import` and the sqlite3 shell's `.import` of
//! the same file, so the import's ratio can be read against what reading the rows and
//! storing them at all takes.
//!
//! `cargo run --release --example import_floor -- customers.csv floor.redb` (the database
//! file is replaced).

use redb::{Builder, TableDefinition};
use std::ops::Bound;

const ROWS: TableDefinition<u64, &[u8]> = TableDefinition::new("rows");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [csv_path, db_path] = args.as_slice() else {
        eprintln!("usage: import_floor FILE.csv OUT.redb");
        std::process::exit(2);
    };
    match load(csv_path, db_path) {
        Ok(rows) => println!("{rows} rows"),
        Err(e) => {
            eprintln!("import_floor: {e}");
            std::process::exit(1);
        }
    }
}

fn load(csv_path: &str, db_path: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let mut csv = csv::ReaderBuilder::new()
        .buffer_capacity(64 << 10)
        .from_path(csv_path)?;
    match std::fs::remove_file(db_path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    let db = Builder::new().set_cache_size(32 << 20).create(db_path)?;
    let tx = db.begin_write()?;
    let mut rows = 0;
    {
        let mut table = tx.open_table(ROWS)?;
        let mut end = table.upper_bound_mut(Bound::<u64>::Unbounded)?;
        let (mut record, mut cells) = (csv::ByteRecord::new(), Vec::new());
        while csv.read_byte_record(&mut record)? {
            rows += 1;
            cells.clear();
            for cell in &record {
                cells.extend_from_slice(&u32::try_from(cell.len())?.to_le_bytes());
                cells.extend_from_slice(cell);
            }
            end.insert_before(rows, cells.as_slice())?;
        }
        end.close()?;
    }
    tx.commit()?;
    Ok(rows)
}
