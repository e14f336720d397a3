//! `clientele serve`: open the database, optionally fill it with demo data, and serve the
//! console and the API until stopped.

use super::app::App;
use super::server::{self, ServerConfig};
use crate::core::date::Date;
use crate::core::desk::Desk;
use crate::core::error::Error;
use crate::core::model::Actor;
use crate::store::Access;
use std::path::Path;
use std::sync::Arc;

pub struct ServeOptions {
    pub addr: String,
    pub demo: Option<u64>,
    pub token: Option<String>,
    pub workers: Option<usize>,
}

pub fn serve_command(db: &Path, today: Option<Date>, opts: ServeOptions) -> Result<(), Error> {
    let created = !db.exists();
    let desk = Desk::open(db, Access::Write, today)?;
    if let Some(n) = opts.demo {
        if desk.count()? == 0 {
            let report = crate::core::demo::generate(&desk, desk.ctx(Actor::Cli), n, 1)?;
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
    let app = Arc::new(App {
        desk,
        token_required: config.token.is_some(),
    });
    // Build the listing snapshot while the first request is still on its way (at a million
    // customers it takes a second or two).
    let warm_up = {
        let app = app.clone();
        std::thread::Builder::new()
            .name("clientele-warm-up".into())
            .spawn(move || {
                let _ = app.desk.list(&crate::core::filter::Filter::default());
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
    eprintln!("clientele stopped; every change is saved");
    Ok(())
}
