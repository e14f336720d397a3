//! Each command: parse what argh left as text, call one core function, print the answer.

use super::args::*;
use super::output;
use super::progress::Bar;
use super::serve;
use super::{Env, Failure, Reply};
use crate::domain::audit::AuditFilter;
use crate::domain::error::Error;
use crate::domain::filter::Filter;
use crate::domain::model::{Actor, View};
use crate::domain::validate::CustomerInput;
use crate::domain::{licence_entries, template_settings};
use crate::store::Access::{Read, Write};
use crate::tasks::bulk::{BulkReport, BulkTask, Selection};
use crate::tasks::catalogs::{PlanInput, TemplateInput};
use crate::tasks::csv::{ExportOptions, ImportOptions};
use crate::tasks::desk::{parse_customer_ref, Ctx, CustomerRef, Desk};
use crate::tasks::holdings::{DeviceInput, EventInput, LicenseChange};
use crate::tasks::runs::{RunView, MAX_PAGE as RUNS_MAX};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

type Outcome = Result<Reply, Failure>;

pub(crate) fn dispatch(command: Command, env: &Env) -> Outcome {
    match command {
        Command::List(a) => list(env, &a),
        Command::Show(a) => show(env, &a),
        Command::Add(a) => add(env, &a),
        Command::Edit(a) => edit(env, &a),
        Command::Delete(a) => delete(env, &a),
        Command::Suspend(a) => bulk(env, &a, BulkTask::Suspend, a.dry_run, a.format),
        Command::Reactivate(a) => bulk(env, &a, BulkTask::Reactivate, a.dry_run, a.format),
        Command::AssignTemplate(a) => {
            let task = task("assign-template", &[("template", Some(a.template.clone()))])?;
            bulk(env, &a, task, a.dry_run, a.format)
        }
        Command::DeployPolicy(a) => deploy_policy(env, &a),
        Command::UpdateFirmware(a) => bulk(env, &a, BulkTask::UpdateFirmware, a.dry_run, a.format),
        Command::Renew(a) => {
            let include = if a.include_expiring { "yes" } else { "no" };
            let options = [
                ("until", a.until.clone()),
                ("include_expiring", Some(include.to_string())),
            ];
            let task = task("renew", &options)?;
            bulk(env, &a, task, a.dry_run, a.format)
        }
        Command::Export(a) => export(env, &a),
        Command::Import(a) => import(env, &a),
        Command::License(a) => license(env, a.command),
        Command::Device(a) => device(env, a.command),
        Command::Event(a) => event(env, a.command),
        Command::Plan(a) => plan(env, a.command),
        Command::Template(a) => template(env, a.command),
        Command::Firmware(a) => firmware(env, a.command),
        Command::Outbox(a) => outbox(env, a.command),
        Command::Settings(a) => settings(env, &a),
        Command::Log(a) => log(env, &a),
        Command::Runs(a) => runs(env, &a),
        Command::Runway(a) => runway(env, &a),
        Command::Backup(a) => backup(env, &a),
        Command::Check(a) => check(env, &a),
        Command::Demo(a) => {
            let desk = env.open_for_load()?;
            Ok(Reply::out(serve::demo(&a, &desk)?))
        }
        Command::Serve(a) => {
            serve::serve(a, &env.db, env.today)?;
            Ok(Reply::default())
        }
    }
}

// ---------------------------------------------------------------- helpers

fn json<T: Serialize + ?Sized>(value: &T) -> Outcome {
    let mut s = serde_json::to_string(value).map_err(|e| Error::Internal(format!("JSON: {e}")))?;
    s.push('\n');
    Ok(Reply::out(s))
}

/// The answer in the format asked for: the API's JSON (a plain array for lists, as the API
/// answers for everything but customers), or the text for people.
fn answer<T: Serialize + ?Sized>(
    format: Format,
    value: &T,
    text: impl FnOnce() -> String,
) -> Outcome {
    match format {
        Format::Json => json(value),
        _ => Ok(Reply::out(text())),
    }
}

/// A bulk task from its options, parsed by the core like every interface does.
fn task(name: &str, options: &[(&str, Option<String>)]) -> Result<BulkTask, Failure> {
    let option = |key: &str| {
        options
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.clone())
    };
    Ok(BulkTask::parse(name, &option)?)
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

fn customer_id(desk: &Desk, s: &str) -> Result<u64, Failure> {
    Ok(desk.resolve(&parse_customer_ref(s))?)
}

/// One customer when named, else every customer (`None`).
fn any_customer(desk: &Desk, s: Option<&str>) -> Result<Option<u64>, Failure> {
    s.map(|c| customer_id(desk, c)).transpose()
}

/// Reads a whole text file, or standard input for `-`.
fn read_text(flag: &str, path: &Path) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    let res = if super::is_stdin(path) {
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    res.map_err(|e| usage(format!("{flag}: cannot read {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|_| {
        usage(format!(
            "{flag}: {} is not UTF-8 text; save it as UTF-8",
            path.display()
        ))
    })
}

/// The filter a command's flags describe, parsed by the core.
fn filter(flags: &FilterFlags<'_>) -> Result<Filter, Failure> {
    Ok(Filter::from_pairs(flags.pairs())?)
}

/// SPEC §2: a bulk task takes ids or a filter. Acting on everyone needs `--all`, so a
/// forgotten filter never touches every customer.
fn selection(
    desk: &Desk,
    flags: SelectionFlags<'_>,
    everyone_by_default: bool,
) -> Result<Selection, Failure> {
    let filter = filter(&flags.filters)?;
    if !flags.customers.is_empty() {
        if flags.all || !filter.is_unfiltered() {
            return Err(usage(
                "name customers by id or account name, or select them with filters or --all, not both",
            ));
        }
        let mut ids = Vec::with_capacity(flags.customers.len());
        for c in flags.customers {
            ids.push(match parse_customer_ref(c) {
                CustomerRef::Id(id) => id,
                account => desk.resolve(&account)?,
            });
        }
        return Ok(Selection::Ids(ids));
    }
    if filter.is_unfiltered() && !flags.all && !everyone_by_default {
        return Err(usage(
            "no customers selected; name them by id or account name (e.g. `12 acme-corp`), \
             select them with a filter (e.g. --license expired), or pass --all for every customer",
        ));
    }
    Ok(Selection::Filter(filter.unpaged()))
}

fn bulk_reply(report: &BulkReport, format: Format) -> Outcome {
    let mut reply = match format {
        Format::Json => json(report)?,
        _ => Reply::out(output::bulk(report)),
    };
    if report.failed > 0 {
        reply.code = 1;
        reply.err = format!(
            "error: {} of {} customers failed; see the reasons above",
            report.failed,
            report.ok + report.skipped + report.failed
        );
    }
    Ok(reply)
}

fn bulk(env: &Env, sel: &dyn Selected, task: BulkTask, dry_run: bool, format: Format) -> Outcome {
    let desk = env.open(Write)?;
    let selection = selection(&desk, sel.selection(), false)?;
    let report = desk.run_bulk(desk.ctx(Actor::Cli), &selection, &task, dry_run)?;
    bulk_reply(&report, format)
}

// ---------------------------------------------------------------- customers

fn list(env: &Env, a: &ListArgs) -> Outcome {
    let filter = filter(&a.filters())?;
    let desk = env.open(Read)?;
    let page = desk.list(&filter)?;
    let mut reply = match a.format {
        Format::Json => json(&page)?,
        Format::Csv => {
            let ids = page.items.iter().map(|v| v.id).collect();
            let mut buf = Vec::new();
            desk.export_csv(&Selection::Ids(ids), ExportOptions::default(), &mut buf)?;
            Reply::out(String::from_utf8_lossy(&buf).into_owned())
        }
        Format::Table => Reply::out(output::customer_page(&page)),
    };
    warn_unreadable(&mut reply, &page.unreadable);
    Ok(reply)
}

/// Customers left out because their record cannot be read are named on standard error;
/// the command still succeeds for everything else.
fn warn_unreadable(reply: &mut Reply, ids: &[u64]) {
    if let Some(w) = crate::domain::check::unreadable_warning(ids) {
        reply.err = format!("warning: {w}; `clientele check` lists every damaged record");
    }
}

fn check(env: &Env, a: &CheckArgs) -> Outcome {
    let desk = env.open(Read)?;
    let report = desk.check_with(&Bar::records("checking", "records"))?;
    let mut reply = match a.format {
        Format::Json => json(&report)?,
        _ => Reply::out(format!("{report}\n")),
    };
    if !report.ok {
        reply.code = 1;
        reply.err = format!(
            "error: {} stored record(s) cannot be read; see the list above",
            report.bad()
        );
    }
    Ok(reply)
}

fn show(env: &Env, a: &ShowArgs) -> Outcome {
    let desk = env.open(Read)?;
    let detail = desk.detail(&parse_customer_ref(&a.customer))?;
    answer(a.format, &detail, || output::customer_detail(&detail))
}

/// The customer a command's profile flags describe; `--notes-file` and `--plan` are read here.
fn customer_input(a: &impl Profiled) -> Result<CustomerInput, Failure> {
    let mut input = a.fields();
    if let Some(file) = a.notes_file() {
        if input.notes.is_some() {
            return Err(usage("give either --notes or --notes-file, not both"));
        }
        input.notes = Some(read_text("--notes-file", file)?);
    }
    if !a.plans().is_empty() {
        let entries = a.plans().iter().enumerate().map(|(i, s)| {
            licence_entries::parse_entry(s).map_err(|m| usage(format!("--plan #{} {m}", i + 1)))
        });
        input.licenses = Some(entries.collect::<Result<_, _>>()?);
    }
    Ok(input)
}

fn add(env: &Env, a: &AddArgs) -> Outcome {
    let input = customer_input(a)?;
    let desk = env.open(Write)?;
    let v = desk.add_customer(desk.ctx(Actor::Cli), &input)?;
    answer(a.format, &v, || {
        format!(
            "added customer {}: {} (account {}, {})\n",
            v.id,
            output::clean(&v.company),
            v.account_name,
            v.account_type
        )
    })
}

fn edit(env: &Env, a: &EditArgs) -> Outcome {
    let input = customer_input(a)?;
    let desk = env.open(Write)?;
    let id = customer_id(&desk, &a.customer)?;
    let before = desk.customer(&CustomerRef::Id(id))?;
    let v = desk.edit_customer(desk.ctx(Actor::Cli), id, &input)?;
    match a.format {
        Format::Json => json(&v),
        _ if same_values(&before, &v) => Ok(Reply::out(format!(
            "customer {} ({}) already has these values; nothing changed\n",
            v.id,
            output::clean(&v.company)
        ))),
        _ => Ok(Reply::out(format!(
            "customer {} ({}) saved\n",
            v.id,
            output::clean(&v.company)
        ))),
    }
}

/// Whether an edit left every value as it was (`updated_at` aside).
fn same_values(
    a: &crate::domain::view::CustomerView,
    b: &crate::domain::view::CustomerView,
) -> bool {
    let strip = |v: &crate::domain::view::CustomerView| {
        let mut j = serde_json::to_value(v).unwrap_or_default();
        if let Some(o) = j.as_object_mut() {
            o.remove("updated_at");
        }
        j
    };
    strip(a) == strip(b)
}

fn delete(env: &Env, a: &DeleteArgs) -> Outcome {
    let desk = env.open(Write)?;
    let selection = selection(&desk, a.selection(), false)?;
    let confirmed = a.yes && !a.dry_run;
    let report = desk.run_bulk(
        desk.ctx(Actor::Cli),
        &selection,
        &BulkTask::Delete,
        !confirmed,
    )?;
    let mut reply = bulk_reply(&report, a.format)?;
    if !confirmed && !a.dry_run {
        reply.code = 1;
        reply.err = if report.ok > 0 {
            format!(
                "error: nothing was deleted; deleting cannot be undone, so check the {} customer(s) marked ok above and run the command again with --yes",
                report.ok
            )
        } else {
            "error: nothing was deleted, and none of the selected customers can be deleted (see the reasons above)".into()
        };
    }
    Ok(reply)
}

fn deploy_policy(env: &Env, a: &DeployPolicyArgs) -> Outcome {
    let entries = match (&a.entries, &a.entries_file) {
        (Some(_), Some(_)) => {
            return Err(usage("give either --entries or --entries-file, not both"))
        }
        (Some(e), None) => Some(e.clone()),
        (None, Some(f)) => Some(read_text("--entries-file", f)?),
        (None, None) => None,
    };
    let options = [
        ("list", Some(a.list.clone())),
        ("action", Some(a.action.clone())),
        ("entries", entries),
    ];
    let task = task("deploy-policy", &options)?;
    bulk(env, a, task, a.dry_run, a.format)
}

/// Streams into a writer and remembers a broken pipe, so `clientele export | head` ends
/// quietly instead of reporting an error.
struct PipeWriter<W: std::io::Write> {
    inner: W,
    broken: bool,
}

impl<W: std::io::Write> std::io::Write for PipeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner
            .write(buf)
            .inspect_err(|e| self.broken |= e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner
            .flush()
            .inspect_err(|e| self.broken |= e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

fn export(env: &Env, a: &ExportArgs) -> Outcome {
    let desk = env.open(Read)?;
    let selection = selection(&desk, a.selection(), true)?;
    let opts = ExportOptions {
        raw: a.raw,
        excel: a.excel,
    };
    match &a.output {
        None => {
            let mut out = PipeWriter {
                inner: std::io::stdout().lock(),
                broken: false,
            };
            match desk.export_csv(&selection, opts, &mut out).and_then(|n| {
                out.flush()
                    .map_err(|e| Error::Io(format!("cannot write the CSV: {e}")))?;
                Ok(n)
            }) {
                Ok(done) => {
                    let mut reply = Reply::default();
                    warn_unreadable(&mut reply, &done.unreadable);
                    Ok(reply)
                }
                Err(_) if out.broken => Ok(Reply::default()),
                Err(e) => Err(e.into()),
            }
        }
        Some(path) => {
            let bar = Bar::records("exporting", "customers");
            let done = write_atomically(path, |w| desk.export_csv_with(&selection, opts, w, &bar))?;
            drop(bar);
            let mut reply = Reply::out(format!(
                "wrote {} customer(s) to {}\n",
                done.rows,
                path.display()
            ));
            warn_unreadable(&mut reply, &done.unreadable);
            Ok(reply)
        }
    }
}

/// Writes a file in full or not at all: into a temporary file next to it, then renamed.
fn write_atomically<T>(
    path: &Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> Result<T, Error>,
) -> Result<T, Failure> {
    let cannot =
        |e: std::io::Error| usage(format!("--output: cannot write {}: {e}", path.display()));
    if path.is_dir() {
        return Err(usage(format!(
            "--output: {} is a directory; give a file name",
            path.display()
        )));
    }
    let name = path
        .file_name()
        .ok_or_else(|| usage(format!("--output: {} is not a file name", path.display())))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(cannot)?;
    let mut w =
        std::io::BufWriter::with_capacity(256 << 10, super::writing_back::WritingBack::new(file));
    let result = fill(&mut w)
        .map_err(Failure::from)
        .and_then(|v| {
            let file = w.into_inner().map_err(|e| cannot(e.into_error()))?.file;
            file.sync_all().map_err(cannot)?;
            Ok(v)
        })
        .and_then(|v| std::fs::rename(&tmp, path).map(|_| v).map_err(cannot));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn import(env: &Env, a: &ImportArgs) -> Outcome {
    let desk = env.open_for_load()?;
    let ctx = desk.ctx(Actor::Cli);
    let opts = ImportOptions {
        dry_run: a.dry_run,
        raw: a.raw,
    };
    let report = if super::is_stdin(&a.file) {
        desk.import_csv(ctx, &mut std::io::stdin(), opts)?
    } else {
        let cannot = |why: String| usage(format!("cannot read {}: {why}", a.file.display()));
        if a.file.is_dir() {
            return Err(cannot("it is a directory; give a CSV file".into()));
        }
        let mut f = std::fs::File::open(&a.file).map_err(|e| cannot(e.to_string()))?;
        let size = f.metadata().map_or(0, |m| m.len());
        desk.import_csv_with(ctx, &mut f, opts, size, &Bar::bytes("importing"))?
    };
    let mut reply = match a.format {
        Format::Json => json(&report)?,
        _ => Reply::out(format!("{report}\n")),
    };
    if report.rejected > 0 {
        reply.code = 1;
        reply.err =
            "error: some rows are bad (listed above); fix them and run the import again".into();
    }
    Ok(reply)
}

fn settings(env: &Env, a: &SettingsArgs) -> Outcome {
    let view = match &a.view {
        Some(v) => {
            let view = View::parse(v).ok_or_else(|| {
                usage(format!(
                    "--view: `{v}` is not valid; use {}",
                    View::choices()
                ))
            })?;
            let desk = env.open(Write)?;
            desk.set_view(desk.ctx(Actor::Cli), view)?.view
        }
        None => env.open(Read)?.settings()?.view,
    };
    answer(
        a.format,
        &serde_json::json!({ "view": view.code() }),
        || {
            format!(
                "view: {view} ({})\n",
                match view {
                    View::All => "every customer is listed and exported",
                    View::Managed =>
                        "LMP customers only with a licence on a managed plan; CLP customers always",
                }
            )
        },
    )
}

fn log(env: &Env, a: &LogArgs) -> Outcome {
    let desk = env.open(Read)?;
    let filter = AuditFilter::parse(
        a.customer.as_deref(),
        a.task.as_deref(),
        a.from.as_deref(),
        a.to.as_deref(),
    )?;
    let entries = desk.audit_log(a.limit, a.before, &filter)?;
    match a.format {
        Format::Json => json(&entries),
        _ => {
            let last = entries.last().map(|e| e.id);
            let out = output::audit(&entries);
            Ok(paged(out, entries.len() == a.limit, "entries", last))
        }
    }
}

/// `runs`: the stored runs, newest first, or one run (`runs ID`).
fn runs(env: &Env, a: &RunsArgs) -> Outcome {
    let desk = env.open(Read)?;
    if let Some(id) = a.run {
        let run = desk.task_run(id)?;
        return answer(a.format, &RunView::from(&run), || output::run(&run));
    }
    if !(1..=RUNS_MAX).contains(&a.limit) {
        return Err(usage(format!(
            "--limit: `{}` is not valid; use a whole number from 1 to {RUNS_MAX}",
            a.limit
        )));
    }
    let list = desk.task_runs(a.limit, a.before)?;
    match a.format {
        Format::Json => json(&list.iter().map(RunView::from).collect::<Vec<_>>()),
        _ => {
            let last = list.last().and_then(|r| r.report.run);
            Ok(paged(
                output::runs(&list),
                list.len() == a.limit,
                "runs",
                last,
            ))
        }
    }
}

/// One page of a newest-first list (`log`, `runs`) as text: when the page is `full`, a last
/// line names the `--before` that shows the older `what`.
fn paged(mut out: String, full: bool, what: &str, last: Option<u64>) -> Reply {
    if let Some(id) = last.filter(|_| full) {
        let _ = writeln!(out, "older {what}: --before {id}");
    }
    Reply::out(out)
}

fn runway(env: &Env, a: &RunwayArgs) -> Outcome {
    let r = env.open(Read)?.runway()?;
    answer(a.format, &r, || output::runway(&r))
}

fn backup(env: &Env, a: &BackupArgs) -> Outcome {
    let desk = env.open(Read)?;
    // The target is the user's path: failing to write it is theirs to fix (exit 1).
    let bar = Bar::records("backing up", "records");
    let records = desk.backup_with(&a.file, &bar).map_err(|e| match e {
        Error::Io(m) => usage(m),
        other => other.into(),
    })?;
    Ok(Reply::out(format!(
        "backed up {} to {} ({records} records); open it with --db {}\n",
        env.db.display(),
        a.file.display(),
        a.file.display()
    )))
}

// ---------------------------------------------------------------- holdings

fn license(env: &Env, c: LicenseCommand) -> Outcome {
    match c {
        LicenseCommand::Add(a) => {
            let desk = env.open(Write)?;
            let id = customer_id(&desk, &a.customer)?;
            let l = desk.add_license(
                desk.ctx(Actor::Cli),
                id,
                &a.plan,
                a.units,
                a.used,
                a.start.as_deref(),
            )?;
            answer(a.format, &l, || {
                format!(
                    "licence {} added to customer {id}: {}, {} units, {} to {} ({})\n",
                    l.id,
                    output::clean(&l.plan),
                    l.units,
                    l.start,
                    l.expiry,
                    l.status
                )
            })
        }
        LicenseCommand::List(a) => {
            let desk = env.open(Read)?;
            let v = desk.customer(&parse_customer_ref(&a.customer))?;
            answer(a.format, &v.licenses, || output::licenses(&v.licenses))
        }
        LicenseCommand::Edit(a) => {
            let change = LicenseChange {
                units: a.units,
                used: a.used,
                start: a.start.clone(),
                expiry: a.expiry.clone(),
            };
            let desk = env.open(Write)?;
            let l = desk.edit_license(desk.ctx(Actor::Cli), a.license, &change)?;
            answer(a.format, &l, || output::licenses(std::slice::from_ref(&l)))
        }
        LicenseCommand::Remove(a) => removed(env, "licence", a.license, Desk::remove_license),
    }
}

fn device(env: &Env, c: DeviceCommand) -> Outcome {
    match c {
        DeviceCommand::Add(a) => {
            let desk = env.open(Write)?;
            let id = customer_id(&desk, &a.customer)?;
            let input = DeviceInput {
                name: a.name,
                serial: a.serial,
                model: a.model,
                firmware: a.firmware,
            };
            let d = desk.add_device(desk.ctx(Actor::Cli), id, &input)?;
            answer(a.format, &d, || {
                format!(
                    "device {} added to customer {id}\n{}",
                    d.id,
                    output::devices(std::slice::from_ref(&d))
                )
            })
        }
        DeviceCommand::List(a) => {
            let desk = env.open(Read)?;
            let customer = any_customer(&desk, a.customer.as_deref())?;
            let list = desk.devices(customer)?;
            answer(a.format, &list, || output::devices(&list))
        }
        DeviceCommand::Edit(a) => {
            let input = DeviceInput {
                name: a.name,
                serial: a.serial,
                model: a.model,
                firmware: a.firmware,
            };
            let desk = env.open(Write)?;
            let d = desk.edit_device(desk.ctx(Actor::Cli), a.device, &input)?;
            answer(a.format, &d, || output::devices(std::slice::from_ref(&d)))
        }
        DeviceCommand::Remove(a) => removed(env, "device", a.device, Desk::remove_device),
    }
}

fn event(env: &Env, c: EventCommand) -> Outcome {
    match c {
        EventCommand::Add(a) => {
            let desk = env.open(Write)?;
            let id = customer_id(&desk, &a.customer)?;
            let input = EventInput {
                kind: a.kind,
                severity: a.severity,
                category: a.category,
                message: a.message,
                time: a.time,
            };
            let e = desk.add_event(desk.ctx(Actor::Cli), id, &input)?;
            answer(a.format, &e, || {
                format!("event {} added to customer {id}\n", e.id)
            })
        }
        EventCommand::List(a) => {
            let desk = env.open(Read)?;
            let customer = any_customer(&desk, a.customer.as_deref())?;
            let list = desk.events(customer, a.open)?;
            answer(a.format, &list, || output::events(&list))
        }
        EventCommand::Resolve(a) => set_event(env, a.event, false),
        EventCommand::Reopen(a) => set_event(env, a.event, true),
        EventCommand::Remove(a) => removed(env, "event", a.event, Desk::remove_event),
    }
}

/// Runs one removal as the CLI and says what went: `what` and the key it was named by
/// ("licence 7 removed").
fn removed<K: ToString>(
    env: &Env,
    what: &str,
    key: K,
    remove: impl FnOnce(&Desk, Ctx, K) -> Result<(), Error>,
) -> Outcome {
    let desk = env.open(Write)?;
    let named = output::clean(&key.to_string());
    remove(&desk, desk.ctx(Actor::Cli), key)?;
    Ok(Reply::out(format!("{what} {named} removed\n")))
}

fn set_event(env: &Env, id: u64, open: bool) -> Outcome {
    let desk = env.open(Write)?;
    let e = desk.set_event_open(desk.ctx(Actor::Cli), id, open)?;
    Ok(Reply::out(format!(
        "event {} is {}\n",
        e.id,
        if e.open { "open" } else { "resolved" }
    )))
}

// ---------------------------------------------------------------- catalogues

fn plan(env: &Env, c: PlanCommand) -> Outcome {
    match c {
        PlanCommand::Add(a) => {
            let input = PlanInput {
                name: Some(a.name),
                product: Some(a.product),
                kind: Some(if a.trial { "trial" } else { "full" }.to_string()),
                months: Some(a.months),
                notice_days: a.notice_days,
                auto_renew: Some(a.auto_renew),
                managed: Some(!a.unmanaged),
                enabled: Some(!a.disabled),
                ..PlanInput::default()
            };
            let desk = env.open(Write)?;
            let p = desk.add_plan(desk.ctx(Actor::Cli), &input)?;
            answer(a.format, &p, || {
                format!(
                    "plan {} added\n{}",
                    p.id,
                    output::plans(std::slice::from_ref(&p))
                )
            })
        }
        PlanCommand::List(a) => {
            let list = env.open(Read)?.plans()?;
            answer(a.format, &list, || output::plans(&list))
        }
        PlanCommand::Edit(a) => {
            let input = PlanInput {
                name: a.name,
                product: a.product,
                kind: a
                    .trial
                    .map(|t| if t { "trial" } else { "full" }.to_string()),
                months: a.months,
                notice_days: a.notice_days,
                auto_renew: a.auto_renew,
                managed: a.managed,
                enabled: a.enabled,
                end_of_life: a.end_of_life,
                ..PlanInput::default()
            };
            let desk = env.open(Write)?;
            let p = desk.edit_plan(desk.ctx(Actor::Cli), &a.plan, &input)?;
            answer(a.format, &p, || output::plans(std::slice::from_ref(&p)))
        }
        PlanCommand::Remove(a) => removed(env, "plan", a.plan.as_str(), Desk::remove_plan),
    }
}

fn template(env: &Env, c: TemplateCommand) -> Outcome {
    match c {
        TemplateCommand::Add(a) => {
            let input = TemplateInput {
                name: Some(a.name),
                product: Some(a.product),
                settings: Some(template_settings::parse_entries(&a.set)?),
            };
            let desk = env.open(Write)?;
            let t = desk.add_template(desk.ctx(Actor::Cli), &input)?;
            answer(a.format, &t, || format!("added {}", output::template(&t)))
        }
        TemplateCommand::List(a) => {
            let list = env.open(Read)?.templates()?;
            answer(a.format, &list, || output::templates(&list))
        }
        TemplateCommand::Show(a) => {
            let t = env.open(Read)?.template(&a.name)?;
            answer(a.format, &t, || output::template(&t))
        }
        TemplateCommand::Edit(a) => {
            let desk = env.open(Write)?;
            let mut settings = desk.template(&a.name)?.settings;
            for k in &a.unset {
                if settings.remove(k.trim()).is_none() {
                    return Err(usage(format!(
                        "--unset: template `{}` has no setting `{k}`; `clientele template show` lists them",
                        a.name
                    )));
                }
            }
            settings.extend(template_settings::parse_entries(&a.set)?);
            // Without --set or --unset the edit names nothing; the task says so.
            let given = !(a.set.is_empty() && a.unset.is_empty());
            let input = TemplateInput {
                name: None,
                product: None,
                settings: given.then_some(settings),
            };
            let t = desk.edit_template(desk.ctx(Actor::Cli), &a.name, &input)?;
            answer(a.format, &t, || output::template(&t))
        }
        TemplateCommand::Remove(a) => {
            removed(env, "template", a.name.as_str(), Desk::remove_template)
        }
    }
}

fn firmware(env: &Env, c: FirmwareCommand) -> Outcome {
    match c {
        FirmwareCommand::Set(a) => {
            let desk = env.open(Write)?;
            let f = desk.set_firmware(desk.ctx(Actor::Cli), &a.model, &a.version)?;
            Ok(Reply::out(format!(
                "latest firmware for {} is {}\n",
                output::clean(&f.model),
                f.version
            )))
        }
        FirmwareCommand::List(a) => {
            let list = env.open(Read)?.firmware()?;
            answer(a.format, &list, || output::firmware(&list))
        }
        FirmwareCommand::Remove(a) => removed(
            env,
            "firmware entry for",
            a.model.as_str(),
            Desk::remove_firmware,
        ),
    }
}

fn outbox(env: &Env, c: OutboxCommand) -> Outcome {
    match c {
        OutboxCommand::List(a) => {
            let list = env.open(Read)?.outbox()?;
            answer(a.format, &list, || output::outbox(&list))
        }
        OutboxCommand::Show(a) => Ok(Reply::out(env.open(Read)?.outbox_eml(a.id)?)),
        OutboxCommand::Export(a) => {
            let files = env.open(Read)?.export_outbox(&a.dir)?;
            let mut out = format!("wrote {} message(s) to {}\n", files.len(), a.dir.display());
            for f in &files {
                let _ = writeln!(out, "  {}", f.display());
            }
            Ok(Reply::out(out))
        }
        OutboxCommand::Remove(a) => removed(env, "outbox message", a.id, Desk::remove_outbox),
    }
}
