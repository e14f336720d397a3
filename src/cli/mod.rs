//! The command line (SPEC §5.1): argh structs in `args`, their translation onto the core in
//! `commands`, text rendering in `output`. No rules live here: every check and every message
//! about the data comes from the core; the CLI only parses, calls and prints.
//!
//! Exit codes: 0 done, 1 the user's to fix (bad input, a rule refused, the file is busy),
//! 2 a fault (`Error::is_user_error` decides).

pub mod args;
mod commands;
mod output;
mod progress;
pub mod serve;
mod writing_back;

use crate::domain::date::Date;
use crate::domain::error::{either, Error, Key, Thing, Unusable};
use crate::domain::fields;
use crate::store::{Access, Store};
use crate::tasks::desk::Desk;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const DEFAULT_DB: &str = "clientele.redb";

/// Parses the command line (the program name first), runs the command and prints its answer.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let mut strings: Vec<String> = Vec::new();
    for (i, a) in args.into_iter().map(Into::into).enumerate() {
        match a.into_string() {
            Ok(s) => strings.push(s),
            Err(raw) => {
                return fail(&format!(
                "argument {i} ({}) is not valid UTF-8; clientele takes UTF-8 text and file names",
                raw.to_string_lossy()
            ))
            }
        }
    }
    let name = "clientele";
    mark_stdin(&mut strings);
    let rest: Vec<&str> = strings.iter().skip(1).map(String::as_str).collect();
    let cli = match <args::Cli as argh::FromArgs>::from_args(&[name], &rest) {
        Ok(cli) => cli,
        Err(early) => return early_exit(early, &rest),
    };
    let env = match Env::new(cli.db, cli.today.as_deref()) {
        Ok(env) => env,
        Err(f) => return report(f),
    };
    // A command that fails leaves no database file behind that it made itself.
    let fresh = !env.db.exists();
    match commands::dispatch(cli.command, &env) {
        Ok(reply) => reply.emit(),
        Err(f) => {
            if fresh {
                let _ = std::fs::remove_file(&env.db);
            }
            report(f)
        }
    }
}

/// Stands for a positional `-` (standard input): argh would read a lone `-` as an option.
pub(crate) const STDIN: &str = "\u{0}-";

/// Whether a file argument means standard input.
pub(crate) fn is_stdin(path: &std::path::Path) -> bool {
    path.as_os_str() == "-" || path.as_os_str() == STDIN
}

/// Switches take no value, so a `-` after one of them is a positional argument.
const SWITCHES: &[&str] = &[
    "--all",
    "--yes",
    "--dry-run",
    "--trial",
    "--unmanaged",
    "--auto-renew",
    "--disabled",
    "--include-expiring",
    "--excel",
    "--raw",
    "--open",
    "--help",
    "-h",
    "--",
];

/// Replaces each positional `-` with [`STDIN`]; a `-` that is an option's value stays.
fn mark_stdin(args: &mut [String]) {
    for i in 1..args.len() {
        if args[i] == "-" {
            let prev = args[i - 1].as_str();
            let is_value = prev.starts_with('-') && !SWITCHES.contains(&prev);
            if !is_value {
                args[i] = STDIN.to_string();
            }
        }
    }
}

/// What the command line and the database file say before a command runs.
pub(crate) struct Env {
    pub db: PathBuf,
    pub today: Option<Date>,
}

impl Env {
    fn new(db: Option<PathBuf>, today_flag: Option<&str>) -> Result<Env, Failure> {
        let today = match today_flag {
            Some(s) => Some(Date::parse(s.trim()).ok_or_else(|| {
                Failure::Usage(format!(
                    "--today: `{s}` is not a date; use YYYY-MM-DD, e.g. --today 2026-11-27"
                ))
            })?),
            None => match std::env::var("CLIENTELE_TODAY") {
                Ok(s) if !s.trim().is_empty() => Some(Date::parse(s.trim()).ok_or_else(|| {
                    Failure::Usage(format!(
                        "the environment variable CLIENTELE_TODAY is `{s}`, which is not a date; \
                         set it to YYYY-MM-DD or unset it"
                    ))
                })?),
                _ => None,
            },
        };
        Ok(Env {
            db: db.unwrap_or_else(|| PathBuf::from(DEFAULT_DB)),
            today,
        })
    }

    /// Opens the database; read-only commands pass `Access::Read` so they work while
    /// `clientele serve` holds the file. A writable open of a schema-1 file indexes it once,
    /// with a progress bar on a terminal.
    pub fn open(&self, access: Access) -> Result<Desk, Failure> {
        let open = || Desk::open(&self.db, access, self.today);
        Ok(match access {
            Access::Write => Store::reporting_upgrade(progress::upgrade(), open),
            Access::Read => open(),
        }?)
    }

    /// Opens the database for one bulk load (`import`, `demo`), as [`Env::open`] does for
    /// writing but with the smaller cache of `Desk::open_for_load`.
    pub fn open_for_load(&self) -> Result<Desk, Failure> {
        let open = || Desk::open_for_load(&self.db, self.today);
        Ok(Store::reporting_upgrade(progress::upgrade(), open)?)
    }
}

/// Why a command did not complete.
pub(crate) enum Failure {
    /// The core refused or failed; the message is the core's.
    Core(Error),
    /// The command line itself is wrong (exit 1).
    Usage(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

/// A finished command's output: text for standard output, an optional note for standard
/// error, and the exit code.
#[derive(Default)]
pub(crate) struct Reply {
    pub out: String,
    pub err: String,
    pub code: u8,
}

impl Reply {
    pub fn out(out: String) -> Reply {
        Reply {
            out,
            ..Reply::default()
        }
    }

    fn emit(self) -> ExitCode {
        if !self.out.is_empty() {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(self.out.as_bytes())
                .and_then(|_| stdout.flush())
            {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return fail_code(&format!("cannot write to standard output: {e}"), 2);
                }
                // The reader went away (e.g. `| head`): not an error of ours.
                return ExitCode::from(self.code);
            }
        }
        if !self.err.is_empty() {
            let _ = writeln!(std::io::stderr(), "{}", self.err.trim_end());
        }
        ExitCode::from(self.code)
    }
}

fn report(f: Failure) -> ExitCode {
    match f {
        Failure::Usage(m) => fail(&m),
        Failure::Core(e) => {
            let code = if e.is_user_error() { 1 } else { 2 };
            fail_code(&render_error(&e), code)
        }
    }
}

fn fail(message: &str) -> ExitCode {
    fail_code(message, 1)
}

fn fail_code(message: &str, code: u8) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {}", message.trim_end());
    ExitCode::from(code)
}

/// The core's message, with field names spelled as the flags the user typed.
pub(crate) fn render_error(e: &Error) -> String {
    match e {
        Error::Invalid(errors) if errors.len() == 1 => {
            let fe = &errors[0];
            format!(
                "{}: {}{}",
                flag_name(&fe.field),
                fe.message,
                flag_hint(&fe.field)
            )
        }
        Error::Invalid(errors) => {
            let mut s = format!(
                "{} values are not valid; fix them and run the command again:",
                errors.len()
            );
            for fe in errors {
                s.push_str(&format!("\n  {}: {}", flag_name(&fe.field), fe.message));
            }
            s
        }
        Error::Conflict { field, message } => format!("{}: {message}", flag_name(field)),
        Error::NothingToChange { fields } => {
            let flags: Vec<&str> = fields.iter().map(|(_, flag)| *flag).collect();
            format!("nothing to change; give {}", either(&flags))
        }
        Error::Damaged {
            record,
            problem,
            customer,
        } => {
            let delete = customer.map_or(String::new(), |id| {
                format!("; `clientele delete {id} --yes` removes this customer")
            });
            format!("{record}: {problem}; `clientele check` lists every damaged record{delete}")
        }
        Error::Busy { .. } => format!(
            "{e}. Commands that only read (list, show, export, log, backup, …) still work; \
             for changes use that process (e.g. the web console or API of `clientele serve`), \
             or stop it and run the command again"
        ),
        Error::Unusable { why, .. } => format!("{e}; {}", other_file(*why)),
        Error::NotFound { thing, key } => match where_to_look(*thing, key) {
            Some(hint) => format!("{e}; {hint}"),
            None => e.to_string(),
        },
        other => other.to_string(),
    }
}

/// What to do about a file that cannot serve as the database.
fn other_file(why: Unusable) -> &'static str {
    match why {
        Unusable::Missing => {
            "create one with `clientele demo --customers 100` or `clientele add …`, \
             or choose another file with --db"
        }
        Unusable::Empty => {
            "add customers first (`clientele demo --customers 100` or `clientele add …`)"
        }
        Unusable::Foreign => "choose another --db path",
        Unusable::NotADatabase => "choose another --db path, or restore a backup",
    }
}

/// The command that shows what exists, for a thing the user named wrongly.
fn where_to_look(thing: Thing, key: &Key) -> Option<String> {
    let list = match (thing, key) {
        (Thing::Customer, Key::Name(name)) => {
            return Some(format!("`clientele list --q {name}` searches"))
        }
        (Thing::Customer, _) => return Some("`clientele list` shows the ids".into()),
        (Thing::Licence, Key::OfCustomer { customer, .. }) => format!("license list {customer}"),
        (Thing::Licence, _) => "license list CUSTOMER".into(),
        (Thing::Device, _) => "device list".into(),
        (Thing::Event, _) => "event list".into(),
        (Thing::Plan, _) => "plan list".into(),
        (Thing::Template, _) => "template list".into(),
        (Thing::Firmware, _) => "firmware list".into(),
        (Thing::OutboxMessage, _) => "outbox list".into(),
        (Thing::TaskRun, _) => return Some("`clientele runs` lists them".into()),
        (Thing::Task, _) => return None,
    };
    Some(format!("`clientele {list}` shows them"))
}

/// `account_name` → `--account-name`; `licenses[0].units` → `--plan #1 (units)`.
/// What the command line adds to a message about `field`: the flags that the core's words
/// ("a filter") stand for here.
fn flag_hint(field: &str) -> &'static str {
    match field {
        "ids" => " (a filter is given with flags such as --license expired)",
        _ => "",
    }
}

pub(crate) fn flag_name(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("licenses[") {
        if let Some((index, part)) = rest.split_once("].") {
            let n = index.parse::<usize>().map_or(0, |i| i + 1);
            return if part == "plan" {
                format!("--plan #{n}")
            } else {
                format!("--plan #{n} ({part})")
            };
        }
    }
    if let Some(spec) = fields::find(field) {
        return spec.flag.to_string();
    }
    match field {
        "settings" => "--set".to_string(),
        // Licences are given with --plan; the others have no flag of their own.
        "licenses" => "--plan".to_string(),
        "file" | "row" | "ids" | "devices" | "events" | "" => field.to_string(),
        f if f
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-') =>
        {
            format!("--{}", f.replace('_', "-"))
        }
        f => f.to_string(),
    }
}

/// argh stopped early: `--help` (exit 0) or a parse error (exit 1, with a hint).
fn early_exit(early: argh::EarlyExit, args: &[&str]) -> ExitCode {
    match early.status {
        Ok(()) => {
            let _ = std::io::stdout().lock().write_all(early.output.as_bytes());
            ExitCode::SUCCESS
        }
        Err(()) => {
            let message = early.output.trim_end();
            let (words, rest) = command_path(args);
            let command: String = words.iter().map(|w| format!(" {w}")).collect();
            let mut hint = format!("run `clientele{command} --help` to see what it accepts");
            if !words.is_empty() && rest.iter().any(|a| *a == "--db" || *a == "--today") {
                hint = format!(
                    "--db and --today go before the command, as in `clientele --db FILE --today DATE{command} …`; {hint}"
                );
            }
            if args.iter().any(|a| a.starts_with("--") && a.contains('=')) {
                hint = format!("write options as `--name value`, not `--name=value`; {hint}");
            }
            fail(&format!("{message}\n{hint}"))
        }
    }
}

/// The sub-command words the user typed (`["plan", "add"]`), to point at the right
/// `--help`, and the arguments after them.
fn command_path<'a>(args: &'a [&'a str]) -> (Vec<&'a str>, &'a [&'a str]) {
    use argh::SubCommands;
    let second = |group: &str| -> Vec<&'static str> {
        let infos = match group {
            "plan" => <args::PlanCommand as SubCommands>::COMMANDS,
            "template" => <args::TemplateCommand as SubCommands>::COMMANDS,
            "license" => <args::LicenseCommand as SubCommands>::COMMANDS,
            "device" => <args::DeviceCommand as SubCommands>::COMMANDS,
            "firmware" => <args::FirmwareCommand as SubCommands>::COMMANDS,
            "event" => <args::EventCommand as SubCommands>::COMMANDS,
            "outbox" => <args::OutboxCommand as SubCommands>::COMMANDS,
            _ => &[],
        };
        infos.iter().map(|c| c.name).collect()
    };
    let mut i = 0;
    while i < args.len() && (args[i] == "--db" || args[i] == "--today") {
        i += 2;
    }
    let Some(&first) = args.get(i) else {
        return (Vec::new(), &[]);
    };
    let known = <args::Command as SubCommands>::COMMANDS
        .iter()
        .any(|c| c.name == first);
    if !known {
        return (Vec::new(), &[]);
    }
    let mut words = vec![first];
    i += 1;
    if let Some(&next) = args.get(i).filter(|n| second(first).contains(n)) {
        words.push(next);
        i += 1;
    }
    (words, &args[i.min(args.len())..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_about_ids_adds_the_filter_flags() {
        let e = Error::invalid(
            "ids",
            "too many ids; select these customers with a filter instead",
        );
        assert_eq!(
            render_error(&e),
            "ids: too many ids; select these customers with a filter instead \
             (a filter is given with flags such as --license expired)"
        );
        let e = Error::invalid("email", "use name@domain");
        assert_eq!(render_error(&e), "--email: use name@domain");
    }
}
