//! `serve` and `demo`: thin hand-offs to the web server and the demo generator.

use super::args::{DemoArgs, ServeArgs};
use crate::domain::date::Date;
use crate::domain::error::Result;
use crate::domain::model::Actor;
use crate::tasks::desk::Desk;
use std::path::Path;

pub fn serve(args: ServeArgs, db: &Path, today: Option<Date>) -> Result<()> {
    let tuning = args.tuning();
    let token = args.token.or_else(|| {
        std::env::var("CLIENTELE_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())
    });
    let opts = crate::web::ServeOptions {
        addr: args.addr,
        demo: args.demo,
        token,
        workers: args.workers,
        tuning,
    };
    // A schema-1 file is indexed once as the server opens it; the log says how far.
    crate::store::Store::reporting_upgrade(super::progress::upgrade_while_serving(), || {
        crate::web::serve_command(db, today, opts)
    })
}

pub fn demo(args: &DemoArgs, desk: &Desk) -> Result<String> {
    let bar = super::progress::Bar::records("generating", "customers");
    let ctx = desk.ctx(Actor::Cli);
    let report = crate::demo::generate_with(desk, ctx, args.customers, args.seed, &bar)?;
    drop(bar);
    Ok(format!("{report}\n"))
}
