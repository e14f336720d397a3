//! The argh structs: the command line exactly as typed, before it is translated into core
//! calls (in `commands`). No rules live here; values stay strings wherever the core parses
//! them, so that its messages are the ones the user sees.

use crate::domain::validate::CustomerInput;
use argh::FromArgs;
use std::path::{Path, PathBuf};

/// an offline customer desk for managed service providers: one program, one database file.
#[derive(FromArgs, Debug)]
#[argh(
    help_triggers("-h", "--help", "help"),
    example = "{command_name} demo --customers 200\n{command_name} list --license expired --account-type lmp\n{command_name} renew --license expired --dry-run\n{command_name} --db /srv/desk.redb serve --addr 127.0.0.1:8080",
    note = "Global options go before the command. Customers are named by id or account name.\nRead-only commands (list, show, export, log, check, the list commands, backup) work while\n`clientele serve` holds the database; commands that change it need the file to themselves.\nExit codes: 0 done, 1 bad input or a rule refused the task, 2 internal error.\nRun `{command_name} <command> --help` for the options of a command."
)]
pub struct Cli {
    /// the database file (default: ./clientele.redb)
    #[argh(option, arg_name = "PATH")]
    pub db: Option<PathBuf>,
    /// the date to treat as today, YYYY-MM-DD (default: $CLIENTELE_TODAY, else the local date)
    #[argh(option, arg_name = "DATE")]
    pub today: Option<String>,
    #[argh(subcommand)]
    pub command: Command,
}

#[derive(FromArgs, Debug)]
#[argh(subcommand)]
pub enum Command {
    List(ListArgs),
    Show(ShowArgs),
    Add(AddArgs),
    Edit(EditArgs),
    Delete(DeleteArgs),
    Suspend(SuspendArgs),
    Reactivate(ReactivateArgs),
    AssignTemplate(AssignTemplateArgs),
    DeployPolicy(DeployPolicyArgs),
    UpdateFirmware(UpdateFirmwareArgs),
    Renew(RenewArgs),
    Export(ExportArgs),
    Import(ImportArgs),
    License(LicenseArgs),
    Device(DeviceArgs),
    Event(EventArgs),
    Plan(PlanArgs),
    Template(TemplateArgs),
    Firmware(FirmwareArgs),
    Outbox(OutboxArgs),
    Settings(SettingsArgs),
    Log(LogArgs),
    Runs(RunsArgs),
    Runway(RunwayArgs),
    Backup(BackupArgs),
    Check(CheckArgs),
    Demo(DemoArgs),
    Serve(ServeArgs),
}

/// How a command prints its answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// Exactly the JSON the API answers with.
    Json,
    /// SPEC §4 rows (customer lists only).
    Csv,
}

pub fn format_table_json(s: &str) -> Result<Format, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "table" => Ok(Format::Table),
        "json" => Ok(Format::Json),
        _ => Err(format!("`{s}` is not a format here; use table or json")),
    }
}

pub fn format_table_json_csv(s: &str) -> Result<Format, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "csv" => Ok(Format::Csv),
        _ => format_table_json(s)
            .map_err(|_| format!("`{s}` is not a format; use table, json or csv")),
    }
}

/// A whole number for counts and ids, read as every face reads one (`domain::numbers`);
/// argh wants one plain function per flag type.
pub fn whole_u32(s: &str) -> Result<u32, String> {
    crate::domain::numbers::whole(s)
}

pub fn whole_u64(s: &str) -> Result<u64, String> {
    crate::domain::numbers::whole(s)
}

pub fn whole_usize(s: &str) -> Result<usize, String> {
    crate::domain::numbers::whole(s)
}

/// `yes` or `no` for flags that set a plan property either way.
pub fn yes_no(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        _ => Err(format!("`{s}` is not valid; use yes or no")),
    }
}

// argh has no flattening, so flags that several commands share are added by macros. A
// struct's own fields pass through as raw tokens (`tt`), never as a `ty` fragment: argh tells
// switches and options apart by the type's name, which a `ty` fragment hides.

/// Derives `FromArgs` for a command struct and adds `--format table|json` as its last flag.
macro_rules! with_format {
    ($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        #[derive(FromArgs, Debug)]
        $(#[$meta])*
        pub struct $name {
            $($fields)*
            /// table or json (default table)
            #[argh(option, default = "Format::Table", from_str_fn(format_table_json))]
            pub format: Format,
        }
    };
}

/// A command group (`plan add`, `plan list`, …): the group's struct and the enum of its
/// commands.
macro_rules! group {
    (
        $(#[$meta:meta])*
        $name:ident($word:tt) => $command:ident { $($variant:ident($args:ident),)* }
    ) => {
        $(#[$meta])*
        #[derive(FromArgs, Debug)]
        #[argh(subcommand, help_triggers("-h", "--help", "help"), name = $word)]
        pub struct $name {
            #[argh(subcommand)]
            pub command: $command,
        }

        #[derive(FromArgs, Debug)]
        #[argh(subcommand)]
        pub enum $command {
            $($variant($args),)*
        }
    };
}

/// Adds the filter flags of SPEC §3 between a struct's leading and trailing fields, and
/// `filter_flags()` to read them. argh joins consecutive doc lines, so `$prefix` ("filter:"
/// where ids could name customers instead) starts each flag's description.
macro_rules! with_filters {
    (
        $prefix:tt
        $(#[$meta:meta])*
        pub struct $name:ident { $($lead:tt)* } { $($tail:tt)* }
    ) => {
        #[derive(FromArgs, Debug)]
        $(#[$meta])*
        pub struct $name {
            $($lead)*
            #[doc = $prefix]
            /// text in company, account name, contact names, email or phone (any case)
            #[argh(option, arg_name = "TEXT")]
            pub q: Option<String>,
            #[doc = $prefix]
            /// clp or lmp
            #[argh(option, arg_name = "TYPE")]
            pub account_type: Option<String>,
            #[doc = $prefix]
            /// active or suspended
            #[argh(option)]
            pub status: Option<String>,
            #[doc = $prefix]
            /// a product code (wfbss, wfbs, cloud-edge, hes, cas, apex-one); repeat for any of several
            #[argh(option, arg_name = "CODE")]
            pub product: Vec<String>,
            #[doc = $prefix]
            /// licence status: expired, exceeded_allocation, expiring_soon, normal or none
            #[argh(option, arg_name = "STATUS")]
            pub license: Option<String>,
            #[doc = $prefix]
            /// yes or no: needs attention
            #[argh(option, arg_name = "YES|NO")]
            pub attention: Option<String>,
            #[doc = $prefix]
            /// yes or no: holds a licence on a managed plan
            #[argh(option, arg_name = "YES|NO")]
            pub managed: Option<String>,
            #[doc = $prefix]
            /// a licence not yet expired expires in this month, YYYY-MM
            #[argh(option, arg_name = "YYYY-MM")]
            pub expires: Option<String>,
            #[doc = $prefix]
            /// needs attention for a reason of this category: threat_system_action_required, threat_system_warning, license_action_required or license_warning
            #[argh(option)]
            pub category: Option<String>,
            $($tail)*
        }

        impl $name {
            /// The filters as typed, without sorting or paging.
            fn filter_flags(&self) -> FilterFlags<'_> {
                FilterFlags {
                    q: self.q.as_deref(),
                    account_type: self.account_type.as_deref(),
                    status: self.status.as_deref(),
                    product: &self.product,
                    license: self.license.as_deref(),
                    attention: self.attention.as_deref(),
                    managed: self.managed.as_deref(),
                    expires: self.expires.as_deref(),
                    category: self.category.as_deref(),
                    ..FilterFlags::default()
                }
            }
        }
    };
}

/// Adds the customer selection of bulk tasks (SPEC §2: ids *or* a filter) to a struct, and
/// implements [`Selected`] for it.
macro_rules! with_selection {
    ($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        with_filters! {
            "filter:"
            $(#[$meta])*
            pub struct $name {
                $($fields)*
                /// the customers, by id or account name (instead of filters)
                #[argh(positional, arg_name = "ID|ACCOUNT")]
                pub customers: Vec<String>,
                /// select every customer the filters match (every customer without filters)
                #[argh(switch)]
                pub all: bool,
            } {}
        }

        impl Selected for $name {
            fn selection(&self) -> SelectionFlags<'_> {
                SelectionFlags {
                    customers: &self.customers,
                    all: self.all,
                    filters: self.filter_flags(),
                }
            }
        }
    };
}

/// A bulk task: its own flags, `--dry-run` and `--format`, then the selection.
macro_rules! bulk_task {
    ($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        with_selection! {
            $(#[$meta])*
            pub struct $name {
                $($fields)*
                /// only show what would happen; change nothing
                #[argh(switch)]
                pub dry_run: bool,
                /// table or json (default table)
                #[argh(option, default = "Format::Table", from_str_fn(format_table_json))]
                pub format: Format,
            }
        }
    };
}

/// The filter flags of SPEC §3 as typed.
#[derive(Clone, Copy, Debug, Default)]
pub struct FilterFlags<'a> {
    pub q: Option<&'a str>,
    pub account_type: Option<&'a str>,
    pub status: Option<&'a str>,
    pub product: &'a [String],
    pub license: Option<&'a str>,
    pub attention: Option<&'a str>,
    pub managed: Option<&'a str>,
    pub expires: Option<&'a str>,
    pub category: Option<&'a str>,
    pub sort: Option<&'a str>,
    pub limit: Option<&'a str>,
    pub offset: Option<&'a str>,
}

impl<'a> FilterFlags<'a> {
    /// The flags as the `key=value` pairs of the filter grammar.
    pub fn pairs(&self) -> Vec<(&'static str, &'a str)> {
        let mut out = Vec::new();
        let one = [
            ("q", self.q),
            ("account_type", self.account_type),
            ("status", self.status),
            ("license", self.license),
            ("attention", self.attention),
            ("managed", self.managed),
            ("expires", self.expires),
            ("category", self.category),
            ("sort", self.sort),
            ("limit", self.limit),
            ("offset", self.offset),
        ];
        for (key, value) in one {
            if let Some(v) = value {
                out.push((key, v));
            }
        }
        for p in self.product {
            out.push(("product", p.as_str()));
        }
        out
    }
}

/// How a bulk command named its customers.
pub struct SelectionFlags<'a> {
    pub customers: &'a [String],
    pub all: bool,
    pub filters: FilterFlags<'a>,
}

pub trait Selected {
    fn selection(&self) -> SelectionFlags<'_>;
}

with_filters! {
    ""
    /// list customers, filtered, sorted and paged
    #[argh(
        subcommand,
        help_triggers("-h", "--help", "help"),
        name = "list",
        example = "{command_name} --license expiring_soon --sort next_expiry\n{command_name} --q müller --format json\n{command_name} --attention yes --product wfbss --product cloud-edge --limit 100 --offset 100",
        note = "The view setting (`clientele settings --view`) applies on top of the filters."
    )]
    pub struct ListArgs {} {
        /// company, account_name, next_expiry, last_transaction or attention; prefix - for descending (default company)
        #[argh(option, arg_name = "KEY")]
        pub sort: Option<String>,
        /// customers per page, 1 to 1000 (default 50)
        #[argh(option, arg_name = "N")]
        pub limit: Option<String>,
        /// customers to skip before the page (default 0)
        #[argh(option, arg_name = "N")]
        pub offset: Option<String>,
        /// table, json or csv (default table)
        #[argh(option, default = "Format::Table", from_str_fn(format_table_json_csv))]
        pub format: Format,
    }
}

impl ListArgs {
    pub fn filters(&self) -> FilterFlags<'_> {
        FilterFlags {
            sort: self.sort.as_deref(),
            limit: self.limit.as_deref(),
            offset: self.offset.as_deref(),
            ..self.filter_flags()
        }
    }
}

with_format! {
    /// show one customer: profile, licences, devices, events, policies and history
    #[argh(subcommand, name = "show", help_triggers("-h", "--help"))]
    pub struct ShowArgs {
        /// the customer's id or account name
        #[argh(positional, arg_name = "ID|ACCOUNT")]
        pub customer: String,
    }
}

/// Adds every profile flag to a struct, and implements [`Profiled`] for it. argh takes flags
/// and help from struct fields, so the text flags restate `domain::fields::PROFILE`'s help;
/// `tests/fields.rs` keeps the two in step. Each text flag
/// is named as the `CustomerInput` field it fills, so one list gives the flags and the copy.
/// The text flags before `;` come ahead of `--notes-file` and `--plan` in the help.
macro_rules! with_profile {
    (
        @flags $(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }
        $( $(#[$a:meta])* $before:ident, )* ; $( $(#[$b:meta])* $after:ident, )*
    ) => {
        with_format! {
            $(#[$meta])*
            pub struct $name {
                $($fields)*
                $( $(#[$a])* pub $before: Option<String>, )*
                /// read the notes from a file (- for standard input) instead of --notes
                #[argh(option, arg_name = "FILE")]
                pub notes_file: Option<PathBuf>,
                /// a plan to assign as NAME:UNITS or NAME:UNITS:START (YYYY-MM-DD); repeatable
                #[argh(option, arg_name = "PLAN")]
                pub plan: Vec<String>,
                $( $(#[$b])* pub $after: Option<String>, )*
            }
        }

        impl Profiled for $name {
            fn fields(&self) -> CustomerInput {
                CustomerInput {
                    $( $before: self.$before.clone(), )*
                    $( $after: self.$after.clone(), )*
                    ..CustomerInput::default()
                }
            }

            fn notes_file(&self) -> Option<&Path> {
                self.notes_file.as_deref()
            }

            fn plans(&self) -> &[String] {
                &self.plan
            }
        }
    };
    ($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        with_profile! {
            @flags $(#[$meta])* pub struct $name { $($fields)* }
            /// company name, 1 to 128 characters, unique
            #[argh(option, arg_name = "NAME")]
            company,
            /// account name, 4 to 25 characters of A-Z a-z 0-9 - _, unique
            #[argh(option, arg_name = "NAME")]
            account_name,
            /// CLP or LMP: the licensing portal the account lives in
            #[argh(option, arg_name = "TYPE")]
            account_type,
            /// active or suspended (default active)
            #[argh(option)]
            status,
            /// contact's first name, 1 to 50 characters
            #[argh(option, arg_name = "NAME")]
            contact_first_name,
            /// contact's last name, 1 to 50 characters
            #[argh(option, arg_name = "NAME")]
            contact_last_name,
            /// contact e-mail address such as name@example.com
            #[argh(option, arg_name = "ADDRESS")]
            email,
            /// phone number: digits, spaces and + - ( ) . x, up to 32 characters
            #[argh(option, arg_name = "NUMBER")]
            phone,
            /// street address, up to 128 characters
            #[argh(option, arg_name = "TEXT")]
            address,
            /// city, 1 to 64 characters
            #[argh(option, arg_name = "TEXT")]
            city,
            /// state or region, 1 to 64 characters
            #[argh(option, arg_name = "TEXT")]
            state,
            /// postal code, up to 10 characters
            #[argh(option, arg_name = "CODE")]
            postal_code,
            /// two-letter ISO 3166-1 country code in capitals, e.g. DE or US
            #[argh(option, arg_name = "CODE")]
            country,
            /// IANA time zone such as Europe/Berlin; empty means UTC
            #[argh(option, arg_name = "ZONE")]
            time_zone,
            /// BCP 47 language tag such as en or de-DE; empty means en
            #[argh(option, arg_name = "TAG")]
            language,
            /// free notes, up to 4,000 characters, newlines allowed
            #[argh(option, arg_name = "TEXT")]
            notes,
            ;
            /// a Worry-Free Business Security Services template ("" clears it)
            #[argh(option, arg_name = "NAME")]
            wfbs_template,
            /// a Cloud Edge template (only when the customer is created)
            #[argh(option, arg_name = "NAME")]
            cloud_edge_template,
        }
    };
}

/// The profile flags of `add` and `edit` as typed.
pub trait Profiled {
    /// The text flags, each in the `CustomerInput` field of its name; the rest left out.
    fn fields(&self) -> CustomerInput;
    fn notes_file(&self) -> Option<&Path>;
    /// `--plan`, once per licence.
    fn plans(&self) -> &[String];
}

with_profile! {
    /// add a customer
    #[argh(
        subcommand,
        help_triggers("-h", "--help", "help"),
        name = "add",
        example = "{command_name} --company \"Müller & Söhne GmbH\" --account-name mueller-soehne --account-type LMP --contact-first-name Anna --contact-last-name Müller --email anna@mueller.example --city Berlin --state Berlin --country DE --plan \"WFBS-S Full 12\":25",
        note = "Required: --company, --account-name, --account-type, --contact-first-name,\n--contact-last-name, --email, --city, --state and --country. Each --plan starts on\nits START date (default today) and expires after the plan's period."
    )]
    pub struct AddArgs {}
}

with_profile! {
    /// change a customer's fields; only the flags given change
    #[argh(
        subcommand,
        name = "edit",
        help_triggers("-h", "--help"),
        example = "{command_name} mueller-soehne --email info@mueller.example --phone \"\"\n{command_name} 12 --plan \"WFBS-S Full 12\":30:2026-01-01 --plan \"Cloud Edge 12\":2",
        note = "An empty value (\"\") clears an optional field. --plan replaces the whole set of\nlicences; a licence with the same plan and start date keeps its id. To add or\nremove single licences use `clientele license`."
    )]
    pub struct EditArgs {
        /// the customer's id or account name
        #[argh(positional, arg_name = "ID|ACCOUNT")]
        pub customer: String,
    }
}

bulk_task! {
    /// delete CLP customers that hold no licences (cannot be undone)
    #[argh(
        subcommand,
        name = "delete",
        help_triggers("-h", "--help"),
        example = "{command_name} 12 17 --dry-run\n{command_name} --license none --account-type clp --yes",
        note = "Without --yes nothing is deleted: the preview is printed and the exit code is 1.\nLMP customers and customers that still hold licences are skipped with the reason.\nSelect customers by id or account name, with filters, or with --all."
    )]
    pub struct DeleteArgs {
        /// really delete (deleting cannot be undone)
        #[argh(switch)]
        pub yes: bool,
    }
}

bulk_task! {
    /// set customers' status to suspended
    #[argh(
        subcommand,
        name = "suspend",
        help_triggers("-h", "--help"),
        note = "Select customers by id or account name, with filters, or with --all."
    )]
    pub struct SuspendArgs {}
}

bulk_task! {
    /// set customers' status back to active
    #[argh(
        subcommand,
        name = "reactivate",
        help_triggers("-h", "--help"),
        note = "Select customers by id or account name, with filters, or with --all."
    )]
    pub struct ReactivateArgs {}
}

bulk_task! {
    /// give LMP customers that hold a wfbss licence a wfbss template
    #[argh(
        subcommand,
        name = "assign-template",
        help_triggers("-h", "--help"),
        example = "{command_name} --template \"Office default\" --product wfbss --account-type lmp",
        note = "CLP customers and customers without a wfbss licence are skipped with the reason.\nSelect customers by id or account name, with filters, or with --all."
    )]
    pub struct AssignTemplateArgs {
        /// the wfbss template to assign
        #[argh(option, arg_name = "NAME")]
        pub template: String,
    }
}

bulk_task! {
    /// change a WFBS-S policy list of LMP customers that hold a wfbss licence
    #[argh(
        subcommand,
        name = "deploy-policy",
        help_triggers("-h", "--help"),
        example = "{command_name} --list blocked-urls --action append --entries \"https://bad.example/;http://worse.example\" --product wfbss\n{command_name} --list ml-exceptions --action overwrite --entries-file hashes.txt 12 17",
        note = "Lists: approved-urls, blocked-urls, behavior-approved, behavior-blocked,\nml-exceptions, av-exclusions-windows, av-exclusions-mac.\nActions: append, delete (missing entries are skipped), overwrite (cannot be undone).\nEntries are separated by ; or new lines; one bad entry rejects the whole task.\nSelect customers by id or account name, with filters, or with --all."
    )]
    pub struct DeployPolicyArgs {
        /// the policy list to change
        #[argh(option, arg_name = "LIST")]
        pub list: String,
        /// append, delete or overwrite
        #[argh(option)]
        pub action: String,
        /// the entries, separated by ; or new lines
        #[argh(option, arg_name = "ENTRIES")]
        pub entries: Option<String>,
        /// read the entries from a file (- for standard input) instead of --entries
        #[argh(option, arg_name = "FILE")]
        pub entries_file: Option<PathBuf>,
    }
}

bulk_task! {
    /// queue firmware update notifications for LMP customers with outdated Cloud Edge devices
    #[argh(
        subcommand,
        name = "update-firmware",
        help_triggers("-h", "--help"),
        note = "One message per customer goes into the outbox (`clientele outbox list`).\nCustomers without an outdated device are skipped.\nSelect customers by id or account name, with filters, or with --all."
    )]
    pub struct UpdateFirmwareArgs {}
}

bulk_task! {
    /// renew the expired licences of LMP customers
    #[argh(
        subcommand,
        name = "renew",
        help_triggers("-h", "--help"),
        example = "{command_name} --license expired --dry-run\n{command_name} acme-corp --until 2027-12-31 --include-expiring",
        note = "The new expiry is today plus the plan's period, or --until. Trial and end-of-life\nplans are skipped with the reason.\nSelect customers by id or account name, with filters, or with --all."
    )]
    pub struct RenewArgs {
        /// the new expiry date, YYYY-MM-DD (after today and after the old expiry)
        #[argh(option, arg_name = "DATE")]
        pub until: Option<String>,
        /// also renew licences that are expiring soon
        #[argh(switch)]
        pub include_expiring: bool,
    }
}

with_selection! {
    /// write customers as CSV
    #[argh(
        subcommand,
        name = "export",
        help_triggers("-h", "--help"),
        example = "{command_name} --all --output customers.csv --excel\n{command_name} --license expired > expired.csv\n{command_name} 12 acme-corp",
        note = "Without ids every customer the filters select is written (the view setting applies).\nCells starting with = + - @ get a leading ' so spreadsheets do not run them; --raw turns this off."
    )]
    pub struct ExportArgs {
        /// the file to write (default: standard output); written in full or not at all
        #[argh(option, arg_name = "FILE")]
        pub output: Option<PathBuf>,
        /// add a byte-order mark and CRLF line ends for spreadsheet programs
        #[argh(switch)]
        pub excel: bool,
        /// write cells exactly as stored, without the spreadsheet guard
        #[argh(switch)]
        pub raw: bool,
    }
}

with_format! {
    /// create or update customers from a CSV file (matched by account name)
    #[argh(
        subcommand,
        name = "import",
        help_triggers("-h", "--help"),
        example = "{command_name} customers.csv --dry-run\n{command_name} - < customers.csv",
        note = "The file has the columns `clientele export` writes. Every row is checked first; if\nany row is bad nothing is written and every bad row is listed with its line."
    )]
    pub struct ImportArgs {
        /// the CSV file, or - for standard input
        #[argh(positional, arg_name = "FILE")]
        pub file: PathBuf,
        /// only report what would happen; change nothing
        #[argh(switch)]
        pub dry_run: bool,
        /// take cells exactly as written (keep a leading ' as data), for files made by export --raw
        #[argh(switch)]
        pub raw: bool,
    }
}

with_format! {
    /// show or change the view setting
    #[argh(
        subcommand,
        help_triggers("-h", "--help", "help"),
        name = "settings",
        note = "View `all` lists every customer; `managed` lists LMP customers only when they hold a\nlicence on a managed plan (CLP customers are always listed). It applies to list and export."
    )]
    pub struct SettingsArgs {
        /// all or managed
        #[argh(option)]
        pub view: Option<String>,
    }
}

with_format! {
    /// show the audit log, newest first
    #[argh(subcommand, help_triggers("-h", "--help", "help"), name = "log")]
    pub struct LogArgs {
        /// how many entries (default 50)
        #[argh(option, default = "50", from_str_fn(whole_usize), arg_name = "N")]
        pub limit: usize,
        /// only entries older than this entry id (for paging)
        #[argh(option, from_str_fn(whole_u64), arg_name = "ID")]
        pub before: Option<u64>,
        /// only entries about this customer (id or account name)
        #[argh(option, arg_name = "ID|ACCOUNT")]
        pub customer: Option<String>,
        /// only entries of this task, as the log names it (e.g. "edit customer")
        #[argh(option, arg_name = "NAME")]
        pub task: Option<String>,
        /// only entries from this UTC day on
        #[argh(option, arg_name = "YYYY-MM-DD")]
        pub from: Option<String>,
        /// only entries up to this UTC day, inclusive
        #[argh(option, arg_name = "YYYY-MM-DD")]
        pub to: Option<String>,
    }
}

with_format! {
    /// stored task runs, newest first, or one run with its customers grouped by outcome
    #[argh(
        subcommand,
        name = "runs",
        help_triggers("-h", "--help", "help"),
        example = "{command_name}\n{command_name} 12\n{command_name} --limit 20 --before 40 --format json",
        note = "Every bulk task that really ran (not a --dry-run) is stored under its run id."
    )]
    pub struct RunsArgs {
        /// the run to show (default: list the runs)
        #[argh(positional, from_str_fn(whole_u64), arg_name = "ID")]
        pub run: Option<u64>,
        /// how many runs, 1 to 1000 (default 50)
        #[argh(option, default = "crate::tasks::runs::PAGE", from_str_fn(whole_usize), arg_name = "N")]
        pub limit: usize,
        /// only runs older than this run id (for paging)
        #[argh(option, from_str_fn(whole_u64), arg_name = "ID")]
        pub before: Option<u64>,
    }
}

with_format! {
    /// the renewal runway: licences expired and expiring in each of the next 12 months, and customers per attention category
    #[argh(
        subcommand,
        name = "runway",
        help_triggers("-h", "--help", "help"),
        note = "Each row names the `clientele list` flags that list exactly the customers it counts.\nThe view setting applies."
    )]
    pub struct RunwayArgs {}
}

/// copy the database to a new file (works while the server runs)
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "backup", help_triggers("-h", "--help"))]
pub struct BackupArgs {
    /// the new file; it must not exist yet
    #[argh(positional, arg_name = "FILE")]
    pub file: PathBuf,
}

with_format! {
    /// read every stored record once and list those that cannot be read (exit 1 if any)
    #[argh(subcommand, name = "check", help_triggers("-h", "--help"))]
    pub struct CheckArgs {}
}

// ---------------------------------------------------------------- licences

group! {
    /// add, list, change or remove a customer's licences
    LicenseArgs("license") => LicenseCommand {
        Add(LicenseAdd),
        List(LicenseList),
        Edit(LicenseEdit),
        Remove(LicenseRemove),
    }
}

with_format! {
    /// assign a plan to a customer
    #[argh(
        subcommand,
        name = "add",
        help_triggers("-h", "--help"),
        example = "{command_name} acme-corp --plan \"WFBS-S Full 12\" --units 25 --start 2026-12-01"
    )]
    pub struct LicenseAdd {
        /// the customer's id or account name
        #[argh(positional, arg_name = "ID|ACCOUNT")]
        pub customer: String,
        /// the plan's name (enabled, not end of life)
        #[argh(option, arg_name = "NAME")]
        pub plan: String,
        /// units provisioned, at least 1
        #[argh(option, from_str_fn(whole_u32), arg_name = "N")]
        pub units: u32,
        /// units in use (default 0)
        #[argh(option, default = "0", from_str_fn(whole_u32), arg_name = "N")]
        pub used: u32,
        /// the start date, YYYY-MM-DD (default today); the expiry follows from the plan
        #[argh(option, arg_name = "DATE")]
        pub start: Option<String>,
    }
}

with_format! {
    /// list a customer's licences
    #[argh(subcommand, name = "list", help_triggers("-h", "--help"))]
    pub struct LicenseList {
        /// the customer's id or account name
        #[argh(positional, arg_name = "ID|ACCOUNT")]
        pub customer: String,
    }
}

with_format! {
    /// change a licence; only the flags given change
    #[argh(subcommand, name = "edit", help_triggers("-h", "--help"))]
    pub struct LicenseEdit {
        /// the licence id (see `clientele license list CUSTOMER`)
        #[argh(positional, from_str_fn(whole_u64), arg_name = "LICENSE_ID")]
        pub license: u64,
        /// units provisioned, at least 1
        #[argh(option, from_str_fn(whole_u32), arg_name = "N")]
        pub units: Option<u32>,
        /// units in use
        #[argh(option, from_str_fn(whole_u32), arg_name = "N")]
        pub used: Option<u32>,
        /// the start date, YYYY-MM-DD
        #[argh(option, arg_name = "DATE")]
        pub start: Option<String>,
        /// the expiry date (the last valid day), YYYY-MM-DD
        #[argh(option, arg_name = "DATE")]
        pub expiry: Option<String>,
    }
}

/// remove a licence from its customer
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "remove", help_triggers("-h", "--help"))]
pub struct LicenseRemove {
    /// the licence id (see `clientele license list CUSTOMER`)
    #[argh(positional, from_str_fn(whole_u64), arg_name = "LICENSE_ID")]
    pub license: u64,
}

// ---------------------------------------------------------------- devices

group! {
    /// add, list, change or remove Cloud Edge devices
    DeviceArgs("device") => DeviceCommand {
        Add(DeviceAdd),
        List(DeviceList),
        Edit(DeviceEdit),
        Remove(DeviceRemove),
    }
}

with_format! {
    /// register a Cloud Edge device with a customer
    #[argh(
        subcommand,
        name = "add",
        help_triggers("-h", "--help"),
        example = "{command_name} acme-corp --name gw-berlin --serial CE-0042-X --model CE100 --firmware 3.2.1"
    )]
    pub struct DeviceAdd {
        /// the customer's id or account name
        #[argh(positional, arg_name = "ID|ACCOUNT")]
        pub customer: String,
        /// the device name (not the company name)
        #[argh(option)]
        pub name: Option<String>,
        /// the serial number, unique across all customers
        #[argh(option)]
        pub serial: Option<String>,
        /// the model, e.g. CE100
        #[argh(option)]
        pub model: Option<String>,
        /// the installed firmware version, e.g. 3.2.1
        #[argh(option, arg_name = "VERSION")]
        pub firmware: Option<String>,
    }
}

with_format! {
    /// list devices, of one customer or of all
    #[argh(subcommand, name = "list", help_triggers("-h", "--help"))]
    pub struct DeviceList {
        /// the customer's id or account name (default: every customer)
        #[argh(positional, arg_name = "ID|ACCOUNT")]
        pub customer: Option<String>,
    }
}

with_format! {
    /// change a device; only the flags given change
    #[argh(subcommand, name = "edit", help_triggers("-h", "--help"))]
    pub struct DeviceEdit {
        /// the device id (see `clientele device list`)
        #[argh(positional, from_str_fn(whole_u64), arg_name = "DEVICE_ID")]
        pub device: u64,
        /// the device name
        #[argh(option)]
        pub name: Option<String>,
        /// the serial number
        #[argh(option)]
        pub serial: Option<String>,
        /// the model
        #[argh(option)]
        pub model: Option<String>,
        /// the installed firmware version
        #[argh(option, arg_name = "VERSION")]
        pub firmware: Option<String>,
    }
}

/// remove a device
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "remove", help_triggers("-h", "--help"))]
pub struct DeviceRemove {
    /// the device id (see `clientele device list`)
    #[argh(positional, from_str_fn(whole_u64), arg_name = "DEVICE_ID")]
    pub device: u64,
}

// ---------------------------------------------------------------- events

group! {
    /// add, list, resolve, reopen or remove threat and system events
    EventArgs("event") => EventCommand {
        Add(EventAdd),
        List(EventList),
        Resolve(EventResolve),
        Reopen(EventReopen),
        Remove(EventRemove),
    }
}

with_format! {
    /// record an event for a customer
    #[argh(
        subcommand,
        name = "add",
        help_triggers("-h", "--help"),
        example = "{command_name} acme-corp --kind threat --severity action_required --category antivirus --message \"Ransomware blocked on PC-12\""
    )]
    pub struct EventAdd {
        /// the customer's id or account name
        #[argh(positional, arg_name = "ID|ACCOUNT")]
        pub customer: String,
        /// threat or system
        #[argh(option)]
        pub kind: String,
        /// warning or action_required
        #[argh(option)]
        pub severity: String,
        /// e.g. antivirus, spyware, spam, web-reputation, disk-space
        #[argh(option)]
        pub category: String,
        /// what happened
        #[argh(option, arg_name = "TEXT")]
        pub message: String,
        /// when, as 2026-11-27T08:00:00Z (default now)
        #[argh(option, arg_name = "TIME")]
        pub time: Option<String>,
    }
}

with_format! {
    /// list events, of one customer or of all
    #[argh(subcommand, name = "list", help_triggers("-h", "--help"))]
    pub struct EventList {
        /// the customer's id or account name (default: every customer)
        #[argh(positional, arg_name = "ID|ACCOUNT")]
        pub customer: Option<String>,
        /// only events that are not resolved
        #[argh(switch)]
        pub open: bool,
    }
}

/// mark an event resolved
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "resolve", help_triggers("-h", "--help"))]
pub struct EventResolve {
    /// the event id (see `clientele event list`)
    #[argh(positional, from_str_fn(whole_u64), arg_name = "EVENT_ID")]
    pub event: u64,
}

/// mark a resolved event open again
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "reopen", help_triggers("-h", "--help"))]
pub struct EventReopen {
    /// the event id (see `clientele event list`)
    #[argh(positional, from_str_fn(whole_u64), arg_name = "EVENT_ID")]
    pub event: u64,
}

/// remove an event
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "remove", help_triggers("-h", "--help"))]
pub struct EventRemove {
    /// the event id (see `clientele event list`)
    #[argh(positional, from_str_fn(whole_u64), arg_name = "EVENT_ID")]
    pub event: u64,
}

// ---------------------------------------------------------------- plans

group! {
    /// add, list, change or remove service plans
    PlanArgs("plan") => PlanCommand {
        Add(PlanAdd),
        List(PlanList),
        Edit(PlanEdit),
        Remove(PlanRemove),
    }
}

with_format! {
    /// add a service plan
    #[argh(
        subcommand,
        help_triggers("-h", "--help", "help"),
        name = "add",
        example = "{command_name} --name \"WFBS-S Full 12\" --product wfbss --months 12\n{command_name} --name \"Cloud Edge Trial\" --product cloud-edge --months 1 --trial --notice-days 7"
    )]
    pub struct PlanAdd {
        /// the plan name, 1 to 64 characters without : or ;
        #[argh(option)]
        pub name: String,
        /// wfbss, wfbs, cloud-edge, hes, cas or apex-one
        #[argh(option, arg_name = "CODE")]
        pub product: String,
        /// the licence period in months, 1 to 120
        #[argh(option, from_str_fn(whole_u32), arg_name = "M")]
        pub months: u32,
        /// a trial plan (trials are never renewed)
        #[argh(switch)]
        pub trial: bool,
        /// days before expiry that count as expiring soon (default 30)
        #[argh(option, from_str_fn(whole_u32), arg_name = "D")]
        pub notice_days: Option<u32>,
        /// the product is not managed from this console
        #[argh(switch)]
        pub unmanaged: bool,
        /// licences renew automatically
        #[argh(switch)]
        pub auto_renew: bool,
        /// the plan cannot be assigned until enabled
        #[argh(switch)]
        pub disabled: bool,
    }
}

with_format! {
    /// list service plans
    #[argh(subcommand, help_triggers("-h", "--help", "help"), name = "list")]
    pub struct PlanList {}
}

with_format! {
    /// change a service plan; only the flags given change
    #[argh(
        subcommand,
        name = "edit",
        help_triggers("-h", "--help"),
        example = "{command_name} \"WFBS-S Full 12\" --end-of-life yes --enabled no"
    )]
    pub struct PlanEdit {
        /// the plan's name or id
        #[argh(positional, arg_name = "NAME|ID")]
        pub plan: String,
        /// a new name
        #[argh(option)]
        pub name: Option<String>,
        /// a new product code (only while no customer holds the plan)
        #[argh(option, arg_name = "CODE")]
        pub product: Option<String>,
        /// the licence period in months, 1 to 120
        #[argh(option, from_str_fn(whole_u32), arg_name = "M")]
        pub months: Option<u32>,
        /// days before expiry that count as expiring soon
        #[argh(option, from_str_fn(whole_u32), arg_name = "D")]
        pub notice_days: Option<u32>,
        /// yes or no: managed from this console
        #[argh(option, from_str_fn(yes_no), arg_name = "YES|NO")]
        pub managed: Option<bool>,
        /// yes or no: can be assigned
        #[argh(option, from_str_fn(yes_no), arg_name = "YES|NO")]
        pub enabled: Option<bool>,
        /// yes or no: end of life (no new assignments, no renewals)
        #[argh(option, from_str_fn(yes_no), arg_name = "YES|NO")]
        pub end_of_life: Option<bool>,
        /// yes or no: licences renew automatically
        #[argh(option, from_str_fn(yes_no), arg_name = "YES|NO")]
        pub auto_renew: Option<bool>,
        /// yes or no: a trial plan
        #[argh(option, from_str_fn(yes_no), arg_name = "YES|NO")]
        pub trial: Option<bool>,
    }
}

/// remove a service plan nobody holds
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "remove", help_triggers("-h", "--help"))]
pub struct PlanRemove {
    /// the plan's name or id
    #[argh(positional, arg_name = "NAME|ID")]
    pub plan: String,
}

// ---------------------------------------------------------------- templates

group! {
    /// add, list, show, change or remove product templates
    TemplateArgs("template") => TemplateCommand {
        Add(TemplateAdd),
        List(TemplateList),
        Show(TemplateShow),
        Edit(TemplateEdit),
        Remove(TemplateRemove),
    }
}

with_format! {
    /// add a product template for wfbss or cloud-edge
    #[argh(
        subcommand,
        help_triggers("-h", "--help", "help"),
        name = "add",
        example = "{command_name} --name \"Office default\" --product wfbss --set real-time-scan=on --set web-reputation=high"
    )]
    pub struct TemplateAdd {
        /// the template name, 1 to 64 characters without : or ;
        #[argh(option)]
        pub name: String,
        /// wfbss or cloud-edge
        #[argh(option, arg_name = "CODE")]
        pub product: String,
        /// a setting as KEY=VALUE; repeatable
        #[argh(option, arg_name = "KEY=VALUE")]
        pub set: Vec<String>,
    }
}

with_format! {
    /// list product templates
    #[argh(subcommand, help_triggers("-h", "--help", "help"), name = "list")]
    pub struct TemplateList {}
}

with_format! {
    /// show a template's settings
    #[argh(subcommand, name = "show", help_triggers("-h", "--help"))]
    pub struct TemplateShow {
        /// the template's name
        #[argh(positional, arg_name = "NAME")]
        pub name: String,
    }
}

with_format! {
    /// change a template's settings
    #[argh(
        subcommand,
        name = "edit",
        help_triggers("-h", "--help"),
        example = "{command_name} \"Office default\" --set web-reputation=medium --unset legacy-mode"
    )]
    pub struct TemplateEdit {
        /// the template's name
        #[argh(positional, arg_name = "NAME")]
        pub name: String,
        /// set a setting as KEY=VALUE; repeatable
        #[argh(option, arg_name = "KEY=VALUE")]
        pub set: Vec<String>,
        /// remove a setting; repeatable
        #[argh(option, arg_name = "KEY")]
        pub unset: Vec<String>,
    }
}

/// remove a template no customer uses
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "remove", help_triggers("-h", "--help"))]
pub struct TemplateRemove {
    /// the template's name
    #[argh(positional, arg_name = "NAME")]
    pub name: String,
}

// ---------------------------------------------------------------- firmware

group! {
    /// keep the latest firmware version per Cloud Edge model
    FirmwareArgs("firmware") => FirmwareCommand {
        Set(FirmwareSet),
        List(FirmwareList),
        Remove(FirmwareRemove),
    }
}

/// record the latest firmware version of a model
#[derive(FromArgs, Debug)]
#[argh(
    subcommand,
    help_triggers("-h", "--help", "help"),
    name = "set",
    example = "{command_name} --model CE100 --version 3.4.0"
)]
pub struct FirmwareSet {
    /// the device model, e.g. CE100
    #[argh(option)]
    pub model: String,
    /// the latest version, dotted numbers such as 3.4.0
    #[argh(option)]
    pub version: String,
}

with_format! {
    /// list the latest firmware per model
    #[argh(subcommand, help_triggers("-h", "--help", "help"), name = "list")]
    pub struct FirmwareList {}
}

/// forget the latest firmware of a model
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "remove", help_triggers("-h", "--help"))]
pub struct FirmwareRemove {
    /// the device model
    #[argh(positional, arg_name = "MODEL")]
    pub model: String,
}

// ---------------------------------------------------------------- outbox

group! {
    /// notifications waiting to be sent: list, show, export as .eml, remove
    OutboxArgs("outbox") => OutboxCommand {
        List(OutboxList),
        Show(OutboxShow),
        Export(OutboxExport),
        Remove(OutboxRemove),
    }
}

with_format! {
    /// list the messages in the outbox
    #[argh(subcommand, help_triggers("-h", "--help", "help"), name = "list")]
    pub struct OutboxList {}
}

/// print one message as an .eml (RFC 5322) text
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "show", help_triggers("-h", "--help"))]
pub struct OutboxShow {
    /// the message id (see `clientele outbox list`)
    #[argh(positional, from_str_fn(whole_u64), arg_name = "ID")]
    pub id: u64,
}

/// write every message as outbox-ID.eml into a directory
#[derive(FromArgs, Debug)]
#[argh(
    subcommand,
    help_triggers("-h", "--help", "help"),
    name = "export",
    example = "{command_name} --dir ~/outbox"
)]
pub struct OutboxExport {
    /// the directory (created if missing)
    #[argh(option)]
    pub dir: PathBuf,
}

/// remove a message once it has been sent
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "remove", help_triggers("-h", "--help"))]
pub struct OutboxRemove {
    /// the message id (see `clientele outbox list`)
    #[argh(positional, from_str_fn(whole_u64), arg_name = "ID")]
    pub id: u64,
}

/// Adds the hidden tuning flags (limits for tests and load experiments), each named as the
/// `Tuning` field it fills, and `tuning()` to copy them.
macro_rules! with_tuning {
    (
        $(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }
        seconds { $( $(#[$s:meta])* $secs:ident, )* }
        $( $(#[$c:meta])* $count:ident, )*
    ) => {
        #[derive(FromArgs, Debug)]
        $(#[$meta])*
        pub struct $name {
            $($fields)*
            $(
                $(#[$s])*
                #[argh(option, hidden_help, from_str_fn(whole_u64), arg_name = "SECS")]
                pub $secs: Option<u64>,
            )*
            $(
                $(#[$c])*
                #[argh(option, hidden_help, from_str_fn(whole_usize), arg_name = "N")]
                pub $count: Option<usize>,
            )*
        }

        impl $name {
            pub fn tuning(&self) -> crate::web::Tuning {
                crate::web::Tuning {
                    $( $secs: self.$secs, )*
                    $( $count: self.$count, )*
                }
            }
        }
    };
}

with_tuning! {
    /// run the web console and the JSON API
    #[argh(
        subcommand,
        help_triggers("-h", "--help", "help"),
        name = "serve",
        example = "{command_name}\n{command_name} --demo 500\n{command_name} --addr 0.0.0.0:8080 --token \"$(cat token.txt)\"",
        note = "Listens on 127.0.0.1 unless told otherwise; any other address needs an access token\n(--token, or the environment variable CLIENTELE_TOKEN, which keeps it out of `ps`).\nStop the server with Ctrl-C."
    )]
    pub struct ServeArgs {
        /// the address to listen on (default 127.0.0.1:8080)
        #[argh(
            option,
            default = "String::from(\"127.0.0.1:8080\")",
            arg_name = "ADDR"
        )]
        pub addr: String,
        /// first fill an empty database with N demo customers
        #[argh(option, from_str_fn(whole_u64), arg_name = "N")]
        pub demo: Option<u64>,
        /// the access token for the API and the console (default: $CLIENTELE_TOKEN)
        #[argh(option)]
        pub token: Option<String>,
        /// request worker threads (default: two per processor, at least 4, at most 16)
        #[argh(option, from_str_fn(whole_usize), arg_name = "N")]
        pub workers: Option<usize>,
    }
    seconds {
        /// seconds a connection has to send a request head (default 10)
        head_timeout,
        /// seconds a kept-alive connection may wait for its next request (default 15)
        idle_timeout,
        /// seconds before a request body must keep to the minimum rate (default 10)
        body_grace,
        /// seconds a console session may go unused (default 1800)
        session_idle,
        /// seconds a console session lasts at most (default 43200)
        session_lifetime,
    }
    /// open connections at most (default: from the descriptor limit)
    max_connections,
}

/// fill the database with varied demo customers, plans, templates, devices and events
#[derive(FromArgs, Debug)]
#[argh(
    subcommand,
    help_triggers("-h", "--help", "help"),
    name = "demo",
    example = "{command_name} --customers 200\n{command_name} --customers 1000000 --seed 7",
    note = "The same seed gives the same customers, so examples and reports can be reproduced."
)]
pub struct DemoArgs {
    /// how many customers to create
    #[argh(option, from_str_fn(whole_u64), arg_name = "N")]
    pub customers: u64,
    /// the random seed (default 1)
    #[argh(option, default = "1", from_str_fn(whole_u64), arg_name = "S")]
    pub seed: u64,
}
