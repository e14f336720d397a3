//! The one error type of the core. Every variant says what was wrong and how to fix it;
//! interfaces map variants onto exit codes and HTTP statuses, never onto new wording.

use std::fmt;
use std::path::PathBuf;

/// A problem with one input field (or CSV cell), named as the interfaces name it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A rejected CSV row: its line number in the file and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct RowError {
    pub line: u64,
    pub account_name: String,
    pub errors: Vec<FieldError>,
}

/// The rejected rows of an import: the first ones in full, and a count of the errors not
/// listed, so a huge bad file gets an answer of bounded size.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportErrors {
    pub rows: Vec<RowError>,
    /// Field errors beyond those listed.
    pub omitted: usize,
}

impl std::ops::Deref for ImportErrors {
    type Target = Vec<RowError>;
    fn deref(&self) -> &Vec<RowError> {
        &self.rows
    }
}

impl ImportErrors {
    /// Records one bad row, listing its errors while fewer than
    /// [`limits::REPORTED_ERRORS`](super::limits::REPORTED_ERRORS) are listed.
    pub fn push(&mut self, line: u64, account_name: String, mut errors: Vec<FieldError>) {
        let listed: usize = self.rows.iter().map(|r| r.errors.len()).sum();
        let room = super::limits::REPORTED_ERRORS.saturating_sub(listed);
        if errors.len() > room {
            self.omitted += errors.len() - room;
            errors.truncate(room);
        }
        if !errors.is_empty() {
            self.rows.push(RowError {
                line,
                account_name,
                errors,
            });
        }
    }
}

#[derive(Clone, Debug)]
pub enum Error {
    /// Input breaks one or more field rules (exit 1, HTTP 422).
    Invalid(Vec<FieldError>),
    /// A named thing does not exist (exit 1, HTTP 404). Each face adds where to look.
    NotFound { thing: Thing, key: Key },
    /// The input is fine but clashes with what is stored, e.g. a duplicate name (exit 1, HTTP 409).
    Conflict { field: String, message: String },
    /// A rule refuses the task as a whole (exit 1, HTTP 409).
    Refused(String),
    /// An edit that names no field to change (exit 1, HTTP 409, code `refused`). `fields`
    /// are the fields it may name, each `(name, CLI flag)`, so every face can say what to give.
    NothingToChange {
        fields: Vec<(&'static str, &'static str)>,
    },
    /// A CSV import with bad rows; nothing was written (exit 1, HTTP 422).
    Import(ImportErrors),
    /// The CSV itself cannot be read (exit 1, HTTP 400).
    Csv(String),
    /// Another process holds the database file (exit 1, HTTP 409). Reading still works.
    Busy {
        path: PathBuf,
        holder: Option<Holder>,
    },
    /// The file named as the database cannot serve as one (exit 1). Each face says which
    /// file to choose instead.
    Unusable { path: PathBuf, why: Unusable },
    /// The database file cannot be used: missing, newer schema, corrupt (exit 1).
    Database(String),
    /// One stored record cannot be read; the others can (exit 1, HTTP 500). A check of the
    /// database lists every such record; a damaged customer can be deleted by id.
    Damaged {
        record: String,
        problem: String,
        customer: Option<u64>,
    },
    /// The disk holding this file (the database, or a backup being written) is full, so a
    /// write was refused and nothing was changed (exit 1, HTTP 507).
    DiskFull(PathBuf),
    /// Reading or writing a file or stream failed (exit 2 unless the path was the user's).
    Io(String),
    /// A fault in clientele or below it; the message is for a bug report (exit 2, HTTP 500).
    Internal(String),
}

/// The process that holds a database file, where the system could tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub command: String,
}

/// Why a file cannot be used as the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
    /// No file there (and it would not be created: the command only reads).
    Missing,
    /// A 0-byte file, opened for reading.
    Empty,
    /// A database of another program.
    Foreign,
    /// Not a database file at all, or one damaged beyond opening.
    NotADatabase,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The kinds of thing a user names and may get wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thing {
    Customer,
    Plan,
    Template,
    Firmware,
    OutboxMessage,
    Licence,
    Device,
    Event,
    Task,
    TaskRun,
}

impl Thing {
    pub const ALL: &'static [Thing] = &[
        Thing::Customer,
        Thing::Plan,
        Thing::Template,
        Thing::Firmware,
        Thing::OutboxMessage,
        Thing::Licence,
        Thing::Device,
        Thing::Event,
        Thing::Task,
        Thing::TaskRun,
    ];

    pub fn noun(self) -> &'static str {
        match self {
            Thing::Customer => "customer",
            Thing::Plan => "plan",
            Thing::Template => "template",
            Thing::Firmware => "firmware entry",
            Thing::OutboxMessage => "outbox message",
            Thing::Licence => "licence",
            Thing::Device => "device",
            Thing::Event => "event",
            Thing::Task => "task",
            Thing::TaskRun => "task run",
        }
    }
}

/// How the missing thing was named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Id(u64),
    /// A name: an account name, a plan, template or task name, a firmware model.
    Name(String),
    /// An id that exists, but not for this customer.
    OfCustomer {
        customer: u64,
        id: u64,
    },
}

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn not_found(thing: Thing, key: Key) -> Error {
        Error::NotFound { thing, key }
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> Error {
        Error::Conflict {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// An edit naming none of `fields` (`(name, CLI flag)` each).
    pub fn nothing_to_change(
        fields: impl IntoIterator<Item = (&'static str, &'static str)>,
    ) -> Error {
        Error::NothingToChange {
            fields: fields.into_iter().collect(),
        }
    }

    /// Whether this is the user's to fix (exit code 1) rather than a fault (exit code 2).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Internal(_) | Error::Io(_))
    }

    /// The machine-readable code used in API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid(_) => "invalid",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { .. } => "conflict",
            Error::Refused(_) | Error::NothingToChange { .. } => "refused",
            Error::Import(_) => "import_rejected",
            Error::Csv(_) => "bad_csv",
            Error::Busy { .. } => "busy",
            Error::Unusable { .. } | Error::Database(_) => "database",
            Error::Damaged { .. } => "damaged",
            Error::DiskFull(_) => "disk_full",
            Error::Io(_) => "io",
            Error::Internal(_) => "internal",
        }
    }

    /// The field at fault, where there is exactly one to name.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid(errors) => errors.first().map(|e| e.field.as_str()),
            Error::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(errors) => {
                let parts: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                f.write_str(&parts.join("; "))
            }
            Error::NotFound { thing, key } => {
                let noun = thing.noun();
                match (thing, key) {
                    (Thing::Customer, Key::Name(name)) => {
                        write!(f, "there is no customer with account name `{name}`")
                    }
                    (Thing::Firmware, Key::Name(model)) => {
                        write!(f, "there is no firmware entry for model `{model}`")
                    }
                    (Thing::OutboxMessage, Key::Id(id)) => write!(f, "there is no outbox message {id}"),
                    (_, Key::Id(id)) => write!(f, "there is no {noun} with id {id}"),
                    (_, Key::Name(name)) => write!(f, "there is no {noun} `{name}`"),
                    (_, Key::OfCustomer { customer, id }) => {
                        write!(f, "customer {customer} has no {noun} with id {id}")
                    }
                }
            }
            Error::Conflict { field, message } => write!(f, "{field}: {message}"),
            Error::Refused(why) => f.write_str(why),
            Error::NothingToChange { fields } => {
                let names: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
                write!(f, "nothing to change; give {}", either(&names))
            }
            Error::Import(rows) => {
                write!(
                    f,
                    "import rejected, nothing was written; fix these rows and import again:"
                )?;
                for row in rows.iter() {
                    for e in &row.errors {
                        write!(f, "\n  line {}: {}: {}", row.line, e.field, e.message)?;
                    }
                }
                if rows.omitted > 0 {
                    write!(f, "\n  {}", super::limits::more_errors(rows.omitted))?;
                }
                Ok(())
            }
            Error::Busy { path, holder } => {
                write!(f, "{} is in use by ", path.display())?;
                match holder {
                    Some(Holder { pid, command }) => write!(f, "process {pid} (`{command}`)")?,
                    None => f.write_str("another clientele process")?,
                }
                f.write_str("; reading still works, and changes go through that process")
            }
            Error::Unusable { path, why } => {
                let path = path.display();
                match why {
                    Unusable::Missing => write!(f, "there is no database at {path}"),
                    Unusable::Empty => write!(f, "{path} is empty"),
                    Unusable::Foreign => write!(
                        f,
                        "{path} is not a clientele database (it was made by another program)"
                    ),
                    Unusable::NotADatabase => write!(
                        f,
                        "{path} is not a clientele database (it is not a database file at all, or it is damaged)"
                    ),
                }
            }
            Error::Csv(m) | Error::Database(m) | Error::Io(m) => f.write_str(m),
            Error::Damaged {
                record,
                problem,
                customer,
            } => {
                write!(
                    f,
                    "{record}: {problem}; checking the database lists every damaged record"
                )?;
                match customer {
                    Some(id) => write!(f, ", and deleting customer {id} by id removes this one"),
                    None => Ok(()),
                }
            }
            Error::DiskFull(path) => write!(
                f,
                "the disk holding {} is full; nothing was changed. Free some space on that disk and try again",
                path.display()
            ),
            Error::Internal(m) => write!(f, "internal error (please report it): {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// `a`, `a or b`, `a, b or c`.
pub fn either(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => items.join(""),
    }
}
