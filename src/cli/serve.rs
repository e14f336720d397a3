//! `serve` and `demo`: thin hand-offs to the web server and the demo generator.

use super::args::{whole_u64, whole_usize};
use crate::domain::date::Date;
use crate::domain::error::Result;
use crate::domain::model::Actor;
use crate::tasks::desk::Desk;
use argh::FromArgs;
use std::path::Path;

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
            fn tuning(&self) -> crate::web::Tuning {
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
        /// request worker threads (default: one per processor)
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
    crate::web::serve_command(db, today, opts)
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

pub fn demo(args: &DemoArgs, desk: &Desk) -> Result<String> {
    let report = crate::demo::generate(desk, desk.ctx(Actor::Cli), args.customers, args.seed)?;
    Ok(format!("{report}\n"))
}
