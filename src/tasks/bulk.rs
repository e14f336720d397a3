//! The bulk tasks of the Customers screen: one selection in, one outcome per customer out,
//! one transaction. A dry run runs the very same code and discards the transaction.

use super::desk::{audit, Ctx, Desk};
use super::runs;
use crate::domain::changes::change;
use crate::domain::date::Date;
use crate::domain::derive::Catalog;
use crate::domain::derive::OpenEvents;
use crate::domain::error::{Error, Key, Result, Thing};
use crate::domain::filter::Filter;
use crate::domain::limits;
use crate::domain::model::*;
use crate::domain::summary::Summary;
use crate::domain::validate;
use crate::domain::view::CustomerView;
use crate::store::{Read, Writer};
use serde::Serialize;

/// Which customers a bulk task acts on.
#[derive(Clone, Debug)]
pub enum Selection {
    Ids(Vec<u64>),
    Filter(Filter),
}

impl Selection {
    /// A list of ids is capped (SPEC §2: a selection names a few customers; a filter selects
    /// any number), so no request can make a task's answer grow without bound.
    pub fn check(&self) -> Result<()> {
        match self {
            Selection::Ids(ids) if ids.len() > limits::SELECTION_IDS => Err(Error::invalid(
                "ids",
                format!(
                    "too many ids: at most {} in one selection, got {}; select these customers \
                     with a filter instead, or split the ids over several runs",
                    limits::n(limits::SELECTION_IDS),
                    limits::n(ids.len())
                ),
            )),
            _ => Ok(()),
        }
    }
}

#[derive(Clone, Debug)]
pub enum BulkTask {
    Delete,
    AssignTemplate {
        template: String,
    },
    DeployPolicy {
        list: PolicyList,
        action: PolicyAction,
        entries: String,
    },
    UpdateFirmware,
    Renew {
        until: Option<Date>,
        include_expiring: bool,
    },
    Suspend,
    Reactivate,
}

impl BulkTask {
    pub fn name(&self) -> &'static str {
        match self {
            BulkTask::Delete => "delete",
            BulkTask::AssignTemplate { .. } => "assign-template",
            BulkTask::DeployPolicy { .. } => "deploy-policy",
            BulkTask::UpdateFirmware => "update-firmware",
            BulkTask::Renew { .. } => "renew",
            BulkTask::Suspend => "suspend",
            BulkTask::Reactivate => "reactivate",
        }
    }
}

impl BulkTask {
    /// Every task name, as used in `/api/tasks/{name}`, console URLs and CLI commands.
    pub const NAMES: &'static [&'static str] = &[
        "delete",
        "assign-template",
        "deploy-policy",
        "update-firmware",
        "renew",
        "suspend",
        "reactivate",
    ];

    /// Every option any task takes, as [`BulkTask::parse`] asks for them.
    pub const OPTIONS: &'static [&'static str] = &[
        "template",
        "list",
        "action",
        "entries",
        "until",
        "include_expiring",
    ];

    /// The task's options as [`BulkTask::parse`] reads them back.
    pub fn options(&self) -> Vec<(&'static str, String)> {
        match self {
            BulkTask::AssignTemplate { template } => vec![("template", template.clone())],
            BulkTask::DeployPolicy {
                list,
                action,
                entries,
            } => vec![
                ("list", list.code().to_string()),
                ("action", action.code().to_string()),
                ("entries", entries.clone()),
            ],
            BulkTask::Renew {
                until,
                include_expiring,
            } => {
                let mut out: Vec<_> = until.iter().map(|d| ("until", d.to_string())).collect();
                let yes_no = YesNo::from_bool(*include_expiring).code();
                out.push(("include_expiring", yes_no.to_string()));
                out
            }
            BulkTask::Delete
            | BulkTask::UpdateFirmware
            | BulkTask::Suspend
            | BulkTask::Reactivate => Vec::new(),
        }
    }

    /// Builds a task from its name and named options ([`BulkTask::OPTIONS`]), however an
    /// interface collected them.
    pub fn parse(name: &str, option: &dyn Fn(&str) -> Option<String>) -> Result<BulkTask> {
        let required = |key: &str, hint: &str| {
            option(key)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| Error::invalid(key, format!("required: {hint}")))
        };
        Ok(match name {
            "delete" => BulkTask::Delete,
            "assign-template" => BulkTask::AssignTemplate {
                template: required("template", "the name of a wfbss template")?,
            },
            "deploy-policy" => {
                let list = required("list", &PolicyList::choices())?;
                let action = required("action", &PolicyAction::choices())?;
                BulkTask::DeployPolicy {
                    list: PolicyList::parse(&list).ok_or_else(|| {
                        Error::invalid(
                            "list",
                            format!(
                                "`{list}` is not a policy list; use {}",
                                PolicyList::choices()
                            ),
                        )
                    })?,
                    action: PolicyAction::parse(&action).ok_or_else(|| {
                        Error::invalid(
                            "action",
                            format!("`{action}` is not valid; use {}", PolicyAction::choices()),
                        )
                    })?,
                    entries: required("entries", "entries separated by `;` or new lines")?,
                }
            }
            "update-firmware" => BulkTask::UpdateFirmware,
            "renew" => BulkTask::Renew {
                until: match option("until").filter(|v| !v.trim().is_empty()) {
                    None => None,
                    Some(d) => Some(Date::parse(d.trim()).ok_or_else(|| {
                        Error::invalid("until", format!("`{d}` is not a date; use YYYY-MM-DD"))
                    })?),
                },
                include_expiring: match option("include_expiring").as_deref().map(str::trim) {
                    None | Some("" | "false" | "no" | "0" | "off") => false,
                    Some("true" | "yes" | "1" | "on") => true,
                    Some(other) => {
                        return Err(Error::invalid(
                            "include_expiring",
                            format!("`{other}` is not valid; use yes or no"),
                        ))
                    }
                },
            },
            "suspend" => BulkTask::Suspend,
            "reactivate" => BulkTask::Reactivate,
            other => return Err(Error::not_found(Thing::Task, Key::Name(other.to_string()))),
        })
    }
}

pub use crate::domain::model::{Outcome, TaskResult};

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct BulkReport {
    #[schemars(extend("enum" = BulkTask::NAMES))]
    pub task: &'static str,
    pub dry_run: bool,
    /// The stored run (`GET /api/runs/{id}`); none for a dry run.
    pub run: Option<u64>,
    pub ok: usize,
    pub skipped: usize,
    pub failed: usize,
    pub results: Vec<TaskResult>,
    /// Results left out of `results`: a stored run keeps the first 10,000.
    pub omitted: u64,
}

impl BulkReport {
    /// The results of one outcome grouped by reason, largest group first (then by reason),
    /// each group in report order: "812 skipped: renew applies to LMP customers only".
    pub fn by_reason(&self, outcome: Outcome) -> Vec<(&str, Vec<&TaskResult>)> {
        let mut groups: Vec<(&str, Vec<&TaskResult>)> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for r in self.results.iter().filter(|r| r.outcome == outcome) {
            let reason = r.reason.as_deref().unwrap_or("");
            let i = *index.entry(reason).or_insert_with(|| {
                groups.push((reason, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push(r);
        }
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        groups
    }
}

/// What one customer's step decided: `Ok` with the changes made, or skipped with a reason.
enum Step {
    Changed {
        customer: Box<Customer>,
        changes: Vec<FieldChange>,
        note: String,
    },
    Deleted {
        snapshot: String,
    },
    Skipped(String),
    /// The customer cannot take the change (a limit would be passed); nothing changes.
    Failed(String),
}

impl Desk {
    pub fn run_bulk(
        &self,
        ctx: Ctx,
        selection: &Selection,
        task: &BulkTask,
        dry_run: bool,
    ) -> Result<BulkReport> {
        self.run_bulk_once(ctx, selection, task, dry_run, None)
            .map(|(report, _)| report)
    }

    /// Runs a bulk task, at most once per idempotency `key`: when the key already started a
    /// run of this very request, that run's stored report comes back (`true`: replayed) and
    /// nothing runs; the key with another request is a conflict. Dry runs ignore the key.
    pub fn run_bulk_once(
        &self,
        ctx: Ctx,
        selection: &Selection,
        task: &BulkTask,
        dry_run: bool,
        key: Option<&str>,
    ) -> Result<(BulkReport, bool)> {
        selection.check()?;
        let key = key.filter(|_| !dry_run).map(runs::check_key).transpose()?;
        // Only a run that is stored (not a dry run) needs its request's text.
        let request = (!dry_run).then(|| runs::request_text(task, selection));
        // Taken first: the key is looked up and the run stored in one write transaction, so
        // two requests with one key cannot both run.
        let w = self.writer()?;
        if let (Some(key), Some(request)) = (key, &request) {
            if let Some(run) = w.task_run_by_key(key)? {
                return runs::replay(run, key, request).map(|r| (r, true));
            }
        }
        check_task(self, task, ctx.today)?;
        let by_id = matches!(selection, Selection::Ids(_));
        let ids = match selection {
            Selection::Ids(ids) => {
                let mut seen = std::collections::HashSet::new();
                ids.iter().copied().filter(|id| seen.insert(*id)).collect()
            }
            Selection::Filter(f) => self.select_ids(f)?,
        };
        let catalog = w.catalog()?;
        let tense = Tense { dry_run };
        let mut results = Vec::with_capacity(ids.len().min(1 << 16));
        // Ids that name no customer cost no work, so past the first few they are only counted.
        let mut unknown = Unknown::default();
        for id in ids {
            let c = match w.try_customer(id)? {
                Some(Ok(c)) => c,
                Some(Err(e)) => {
                    results.push(unreadable(&w, ctx, id, e, task, by_id, tense)?);
                    continue;
                }
                None => {
                    unknown.push(id, &mut results);
                    continue;
                }
            };
            let company = c.profile.company.clone();
            // Read first, before any step writes: a damaged event fails this customer only.
            let open = match w.open_events(id) {
                Ok(open) => open,
                // Deleting removes events by key, unread; its snapshot just lacks the counts.
                Err(_) if matches!(task, BulkTask::Delete) => OpenEvents::default(),
                Err(e) => {
                    results.push(TaskResult {
                        id,
                        company,
                        outcome: Outcome::Failed,
                        reason: Some(e.to_string()),
                    });
                    continue;
                }
            };
            let old = c.clone();
            let (outcome, reason) = match step(&w, ctx, &catalog, c, open, task, tense)? {
                Step::Skipped(why) => (Outcome::Skipped, Some(why)),
                Step::Failed(why) => (Outcome::Failed, Some(why)),
                Step::Changed {
                    customer,
                    changes,
                    note,
                } => {
                    w.save_customer(
                        &customer,
                        Some(&old),
                        &Summary::of(&customer, open, &catalog),
                    )?;
                    audit(&w, ctx, task.name(), vec![id], &note, changes, None)?;
                    (Outcome::Ok, Some(note))
                }
                Step::Deleted { snapshot } => {
                    w.remove_customer(&old)?;
                    audit(
                        &w,
                        ctx,
                        task.name(),
                        vec![id],
                        "deleted",
                        vec![],
                        Some(snapshot),
                    )?;
                    (Outcome::Ok, Some(tense.say("deleted", "would be deleted")))
                }
            };
            results.push(TaskResult {
                id,
                company,
                outcome,
                reason,
            });
        }
        let uncounted = unknown.finish(&mut results);
        let count = |o| results.iter().filter(|r| r.outcome == o).count();
        let mut report = BulkReport {
            task: task.name(),
            dry_run,
            run: None,
            ok: count(Outcome::Ok),
            skipped: count(Outcome::Skipped),
            failed: count(Outcome::Failed) + uncounted,
            results,
            omitted: 0,
        };
        if let Some(request) = request {
            report.run = Some(runs::save(&w, ctx, &report, request, key)?);
            w.commit()?;
        }
        Ok((report, false))
    }
}

/// Ids of a selection that name no customer: the first [`limits::REPORTED_ERRORS`] get a
/// result each, the rest one result together, so the answer stays proportional to the work.
#[derive(Default)]
struct Unknown {
    seen: usize,
    first_unlisted: Option<u64>,
}

impl Unknown {
    fn push(&mut self, id: u64, results: &mut Vec<TaskResult>) {
        self.seen += 1;
        if self.seen <= limits::REPORTED_ERRORS {
            results.push(failed(id, format!("there is no customer with id {id}")));
        } else {
            self.first_unlisted.get_or_insert(id);
        }
    }

    /// Adds the one result for the unlisted ids; returns how many ids it stands for besides
    /// its own, for the report's failed count.
    fn finish(self, results: &mut Vec<TaskResult>) -> usize {
        let Some(id) = self.first_unlisted else {
            return 0;
        };
        let more = self.seen - limits::REPORTED_ERRORS - 1;
        results.push(failed(
            id,
            format!(
                "there is no customer with id {id}, nor with {} more of the ids given \
                 (the first {} unknown ids are listed one by one)",
                limits::n(more),
                limits::REPORTED_ERRORS
            ),
        ));
        more
    }
}

fn failed(id: u64, reason: String) -> TaskResult {
    TaskResult {
        id,
        company: String::new(),
        outcome: Outcome::Failed,
        reason: Some(reason),
    }
}

/// A customer whose stored record cannot be read: deleting it by id removes what is left
/// of it (its row, summary, index entries and events, all found by id); any other task
/// fails for it with the reason.
fn unreadable(
    w: &Writer,
    ctx: Ctx,
    id: u64,
    e: Error,
    task: &BulkTask,
    by_id: bool,
    tense: Tense,
) -> Result<TaskResult> {
    let (outcome, reason) = match task {
        BulkTask::Delete if by_id => {
            w.remove_unreadable_customer(id)?;
            let note = "deleted (its stored record could not be read)";
            audit(w, ctx, task.name(), vec![id], note, vec![], None)?;
            (
                Outcome::Ok,
                tense.say(note, "would be deleted (its stored record cannot be read)"),
            )
        }
        BulkTask::Delete => (Outcome::Failed, format!("{e}; name it by id to delete it")),
        _ => (Outcome::Failed, e.to_string()),
    };
    Ok(TaskResult {
        id,
        company: String::new(),
        outcome,
        reason: Some(reason),
    })
}

/// Task-wide checks: a bad option rejects the whole task before anything is looked at.
fn check_task(desk: &Desk, task: &BulkTask, today: Date) -> Result<()> {
    match task {
        BulkTask::AssignTemplate { template } => match desk.reader()?.template(template.trim())? {
            Some(t) if t.product == Product::Wfbss => Ok(()),
            Some(t) => Err(Error::invalid(
                "template",
                format!(
                    "template `{}` is for {}; only wfbss templates can be assigned",
                    t.name,
                    t.product.code()
                ),
            )),
            None => Err(Error::invalid(
                "template",
                format!(
                    "there is no template `{}`; choose one of the templates that exist",
                    template.trim()
                ),
            )),
        },
        BulkTask::DeployPolicy { list, entries, .. } => validate::policy_entries(*list, entries)
            .map(|_| ())
            .map_err(|e| Error::invalid("entries", e)),
        BulkTask::Renew { until: Some(d), .. } if *d > Date::LAST => Err(Error::invalid(
            "until",
            format!(
                "{d} is too far ahead; the last possible date is {}",
                Date::LAST
            ),
        )),
        BulkTask::Renew { until: Some(d), .. } if *d <= today => Err(Error::invalid(
            "until",
            format!("{d} is not after today ({today}); give a later date"),
        )),
        _ => Ok(()),
    }
}

fn lmp_only(c: &Customer, what: &str) -> Option<Step> {
    (c.profile.account_type != AccountType::Lmp).then(|| {
        Step::Skipped(format!(
            "{what} applies to LMP customers only; this is a CLP customer (managed in the Customer Licensing Portal)"
        ))
    })
}

fn holds(c: &Customer, catalog: &Catalog, product: Product) -> bool {
    c.licenses.iter().any(|l| {
        catalog
            .plan(l.plan_id)
            .is_some_and(|p| p.product == product)
    })
}

/// Outcome notes in the past tense for a real run and as "would …" for a dry run.
#[derive(Clone, Copy)]
struct Tense {
    dry_run: bool,
}

impl Tense {
    fn say(self, done: impl Into<String>, would: impl Into<String>) -> String {
        if self.dry_run {
            would.into()
        } else {
            done.into()
        }
    }
}

fn step(
    w: &Writer,
    ctx: Ctx,
    catalog: &Catalog,
    mut c: Customer,
    open: OpenEvents,
    task: &BulkTask,
    tense: Tense,
) -> Result<Step> {
    let changed = |customer: Customer, changes: Vec<FieldChange>, note: String| {
        let mut customer = customer;
        customer.updated_at = ctx.now;
        Step::Changed {
            customer: Box::new(customer),
            changes,
            note,
        }
    };
    Ok(match task {
        BulkTask::Delete => {
            if c.profile.account_type == AccountType::Lmp {
                Step::Skipped(
                    "LMP customers are deleted in the Licensing Management Platform, not here"
                        .into(),
                )
            } else if !c.licenses.is_empty() {
                Step::Skipped(format!(
                    "still holds {} licence(s); remove them first (products must be gone before a customer is deleted)",
                    c.licenses.len()
                ))
            } else {
                let view = CustomerView::of(&c, open, catalog, ctx.today);
                Step::Deleted {
                    snapshot: serde_json::to_string(&view)
                        .map_err(|e| Error::Internal(e.to_string()))?,
                }
            }
        }
        BulkTask::AssignTemplate { template } => {
            if let Some(skip) = lmp_only(&c, "assign template") {
                return Ok(skip);
            }
            let t = w
                .template(template.trim())?
                .map(|t| t.name)
                .unwrap_or_default();
            if !holds(&c, catalog, Product::Wfbss) {
                Step::Skipped("holds no wfbss licence; templates apply to Worry-Free Business Security Services".into())
            } else if c.wfbs_template.as_deref() == Some(t.as_str()) {
                Step::Skipped(format!("already uses template {t}"))
            } else {
                let old = c.wfbs_template.replace(t.clone()).unwrap_or_default();
                let was = if old.is_empty() {
                    "no template".to_string()
                } else {
                    format!("template {old}")
                };
                changed(
                    c,
                    vec![change("wfbs_template", &old, &t)],
                    tense.say(
                        format!("template {t} assigned (was {was})"),
                        format!("would assign template {t} (now {was})"),
                    ),
                )
            }
        }
        BulkTask::DeployPolicy {
            list,
            action,
            entries,
        } => {
            if let Some(skip) = lmp_only(&c, "deploy policy") {
                return Ok(skip);
            }
            if !holds(&c, catalog, Product::Wfbss) {
                return Ok(Step::Skipped("holds no wfbss licence; policies apply to Worry-Free Business Security Services".into()));
            }
            let entries = validate::policy_entries(*list, entries)
                .map_err(|e| Error::invalid("entries", e))?;
            let current = c.policies.entry(*list).or_default();
            let before = current.clone();
            let note = match action {
                PolicyAction::Append => {
                    let mut added = 0;
                    for e in &entries {
                        if !current.contains(e) {
                            current.push(e.clone());
                            added += 1;
                        }
                    }
                    let present = entries.len() - added;
                    tense.say(
                        format!("{added} added to {list}, {present} already present"),
                        format!("would add {added} to {list}, {present} already present"),
                    )
                }
                PolicyAction::Delete => {
                    let n = current.len();
                    current.retain(|e| !entries.contains(e));
                    let gone = n - current.len();
                    tense.say(
                        format!("{gone} removed from {list}"),
                        format!("would remove {gone} from {list}"),
                    )
                }
                PolicyAction::Overwrite => {
                    *current = entries.clone();
                    let n = entries.len();
                    let lost = before.iter().filter(|e| !entries.contains(e)).count();
                    tense.say(
                        format!("{list} replaced with {n} entries; {lost} earlier entries removed"),
                        format!(
                            "would replace {list} with {n} entries; {lost} of its {} entries would be lost",
                            before.len()
                        ),
                    )
                }
            };
            if let Err(why) = validate::policy_list_fits(current) {
                Step::Failed(format!("{list}: {why}"))
            } else if *current == before {
                Step::Skipped(format!("{list} already as requested ({note})"))
            } else {
                let after = current.join("; ");
                changed(c, vec![change(list.code(), before.join("; "), after)], note)
            }
        }
        BulkTask::UpdateFirmware => {
            if let Some(skip) = lmp_only(&c, "update firmware") {
                return Ok(skip);
            }
            update_firmware(w, ctx, catalog, c, tense)?
        }
        BulkTask::Renew {
            until,
            include_expiring,
        } => {
            if let Some(skip) = lmp_only(&c, "renew") {
                return Ok(skip);
            }
            renew(ctx, catalog, c, *until, *include_expiring, tense)
        }
        BulkTask::Suspend | BulkTask::Reactivate => {
            let want = if matches!(task, BulkTask::Suspend) {
                CustomerStatus::Suspended
            } else {
                CustomerStatus::Active
            };
            if c.status == want {
                Step::Skipped(format!("already {want}"))
            } else {
                let old = std::mem::replace(&mut c.status, want);
                changed(
                    c,
                    vec![change("status", old, want)],
                    tense.say(format!("now {want}"), format!("would become {want}")),
                )
            }
        }
    })
}

fn update_firmware(
    w: &Writer,
    ctx: Ctx,
    catalog: &Catalog,
    mut c: Customer,
    tense: Tense,
) -> Result<Step> {
    let mut lines = Vec::new();
    let mut changes = Vec::new();
    let mut pending = 0;
    for d in c.devices.iter_mut() {
        let Some(latest) = catalog.device_update(d) else {
            continue;
        };
        pending += 1;
        if d.notified_version.as_deref() == Some(latest) {
            continue;
        }
        lines.push(format!(
            "  - {} (serial {}, model {}): firmware {} -> {}",
            d.name, d.serial, d.model, d.firmware, latest
        ));
        changes.push(change(
            &format!("device {} notified", d.serial),
            d.notified_version.clone().unwrap_or_default(),
            latest,
        ));
        d.notified_version = Some(latest.to_string());
    }
    if lines.is_empty() {
        return Ok(Step::Skipped(if pending == 0 {
            "no Cloud Edge device needs a firmware update".to_string()
        } else {
            format!(
                "already notified about the latest firmware for all {pending} outdated device(s)"
            )
        }));
    }
    let p = &c.profile;
    let body = format!(
        "Dear {} {},\n\nnew firmware is available for the Cloud Edge devices of {}:\n\n{}\n\n\
         Please plan a maintenance window; we will install the update for you.\n\nKind regards\n",
        p.contact_first_name,
        p.contact_last_name,
        p.company,
        lines.join("\n")
    );
    w.save_outbox(&OutboxMessage {
        id: w.next_id("outbox")?,
        customer_id: c.id,
        to: p.email.clone(),
        subject: format!(
            "Firmware update available for {} Cloud Edge device(s)",
            lines.len()
        ),
        body,
        created_at: ctx.now,
    })?;
    let n = lines.len();
    let note = tense.say(
        format!("notification queued in the outbox for {n} device(s)"),
        format!("would queue a notification in the outbox for {n} device(s)"),
    );
    c.updated_at = ctx.now;
    c.last_transaction = ctx.now;
    Ok(Step::Changed {
        customer: Box::new(c),
        changes,
        note,
    })
}

fn renew(
    ctx: Ctx,
    catalog: &Catalog,
    mut c: Customer,
    until: Option<Date>,
    include_expiring: bool,
    tense: Tense,
) -> Step {
    let mut renewed = Vec::new();
    let mut skipped = Vec::new();
    let mut changes = Vec::new();
    for l in c.licenses.iter_mut() {
        let plan = catalog.plan(l.plan_id);
        let status = crate::domain::derive::license_of(l, plan, ctx.today);
        let due = status == LicenseStatus::Expired
            || (include_expiring && status == LicenseStatus::ExpiringSoon);
        if !due {
            continue;
        }
        let Some(plan) = plan else {
            skipped.push(format!("licence {} has no plan", l.id));
            continue;
        };
        if plan.kind == PlanKind::Trial {
            skipped.push(format!(
                "{} is a trial plan (trials are not renewed; assign a full plan)",
                plan.name
            ));
            continue;
        }
        if plan.end_of_life {
            skipped.push(format!(
                "{} is end of life (assign a current plan instead)",
                plan.name
            ));
            continue;
        }
        let Some(new_expiry) = until.or_else(|| ctx.today.add_months(i64::from(plan.months)))
        else {
            skipped.push(format!(
                "{}: {} months from today would end after {}",
                plan.name,
                plan.months,
                Date::LAST
            ));
            continue;
        };
        if new_expiry <= l.expiry {
            skipped.push(format!(
                "{}: {new_expiry} is not after the current expiry {}",
                plan.name, l.expiry
            ));
            continue;
        }
        changes.push(change(
            &format!("licence {} expiry", plan.name),
            l.expiry,
            new_expiry,
        ));
        renewed.push(format!("{} until {new_expiry}", plan.name));
        l.expiry = new_expiry;
    }
    if renewed.is_empty() {
        return Step::Skipped(if skipped.is_empty() {
            if include_expiring {
                "no expired or expiring licence".to_string()
            } else {
                "no expired licence".to_string()
            }
        } else {
            skipped.join("; ")
        });
    }
    let list = renewed.join(", ");
    let mut note = tense.say(format!("renewed {list}"), format!("would renew {list}"));
    if !skipped.is_empty() {
        let not = tense.say("not renewed", "would not renew");
        note.push_str(&format!("; {not}: {}", skipped.join("; ")));
    }
    c.updated_at = ctx.now;
    c.last_transaction = ctx.now;
    Step::Changed {
        customer: Box::new(c),
        changes,
        note,
    }
}
