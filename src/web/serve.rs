//! `clientele serve`: open the database, optionally fill it with demo data, and serve the
//! console and the API until stopped.

use super::app::App;
use super::server::{self, ServerConfig};
use crate::domain::date::Date;
use crate::domain::error::Error;
use crate::domain::model::Actor;
use crate::store::Access;
use crate::tasks::desk::Desk;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub struct ServeOptions {
    pub addr: String,
    pub demo: Option<u64>,
    pub token: Option<String>,
    pub workers: Option<usize>,
    pub tuning: Tuning,
}

/// Declares `Tuning` and its `apply` from one list of names: each field overrides the
/// `ServerConfig` field of the same name, a number of seconds or a count, at least 1.
macro_rules! tuning {
    (seconds: $($secs:ident),*; counts: $($count:ident),*;) => {
        /// Overrides of the server's timeouts and limits (hidden `serve` options, so that tests
        /// need not wait for the real values).
        #[derive(Debug, Default, Clone)]
        pub struct Tuning {
            $(pub $secs: Option<u64>,)*
            $(pub $count: Option<usize>,)*
        }

        impl Tuning {
            fn apply(&self, config: &mut ServerConfig) {
                $(if let Some(v) = self.$secs {
                    config.$secs = Duration::from_secs(v.max(1));
                })*
                $(if let Some(n) = self.$count {
                    config.$count = Some(n.max(1));
                })*
            }
        }
    };
}

tuning! {
    seconds: head_timeout, idle_timeout, body_grace, session_idle, session_lifetime;
    counts: max_connections;
}

pub fn serve_command(db: &Path, today: Option<Date>, opts: ServeOptions) -> Result<(), Error> {
    // Before the database is opened (or made, or filled with demo data).
    if let Some(token) = &opts.token {
        server::check_token_setting(token).map_err(Error::Refused)?;
    }
    let created = !db.exists();
    let desk = Desk::open(db, Access::Write, today)?;
    if let Some(n) = opts.demo {
        if desk.count()? == 0 {
            let report = crate::demo::generate(&desk, desk.ctx(Actor::Cli), n, 1)?;
            eprintln!("{report}");
        } else {
            eprintln!(
                "{} already holds customers; --demo only fills an empty database",
                db.display()
            );
        }
    }
    let mut config = ServerConfig {
        addr: opts.addr,
        token: opts.token,
        ..ServerConfig::default()
    };
    if let Some(w) = opts.workers {
        config.workers = w.max(1);
    }
    opts.tuning.apply(&mut config);
    return_freed_memory();
    let app = Arc::new(App {
        token_required: config.token.is_some(),
        ..App::new(desk)
    });
    // Build the first page's customer views while the first request is still on its way
    // (a range read of the company index and twenty records).
    let warm_up = {
        let app = app.clone();
        std::thread::Builder::new()
            .name("clientele-warm-up".into())
            .spawn(move || {
                let _ = app.desk.list(&crate::domain::filter::Filter::default());
            })
            .map_err(|e| Error::Internal(format!("cannot start a thread: {e}")))?
    };
    let handler = {
        let app = app.clone();
        Arc::new(move |req: &super::http::Request| app.handle(req))
    };
    let path = db.display().to_string();
    let served = server::run(config, handler, |addr| {
        println!("clientele is serving {path} at http://{addr}/ (Ctrl-C stops)");
    });
    if let Err(why) = served {
        // A server that never started leaves no database file behind that it made itself.
        if created {
            let _ = warm_up.join();
            drop(app);
            let _ = std::fs::remove_file(db);
        }
        return Err(Error::Refused(why));
    }
    if let Some(job) = app.imports.running() {
        eprintln!(
            "import {} was still running and is dropped: nothing of it was written",
            job.id
        );
    }
    eprintln!("clientele stopped; every change is saved");
    Ok(())
}

/// mimalloc (the executable's allocator, `src/main.rs`) returns freed memory to the system a
/// few milliseconds after the next allocation that notices it; a server that goes idle after a burst of large request bodies would keep
/// it. Purged at once instead (a one-shot command keeps the delay: it is faster and its
/// memory goes back when it exits).
fn return_freed_memory() {
    /// `mi_option_purge_delay` in mimalloc.h, which libmimalloc-sys does not name.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: only changes an allocator setting; called before the server threads start.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}
