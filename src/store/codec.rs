//! The stored value format: one version byte, then bincode 2 of that version's frozen record.
//! This is the only module that knows bincode.

use crate::core::error::Error;
use serde::{de::DeserializeOwned, Serialize};

/// No stored record comes near this; a corrupt length prefix is refused instead of allocating.
const LIMIT: usize = 16 << 20;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

pub fn encode<T: Serialize>(version: u8, record: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(256);
    out.push(version);
    bincode::serde::encode_into_std_write(record, &mut out, config())
        .map_err(|e| Error::Internal(format!("cannot encode a record: {e}")))?;
    Ok(out)
}

/// Splits off the version byte; `what` names the record kind for error messages.
pub fn version_of<'a>(bytes: &'a [u8], what: &str) -> Result<(u8, &'a [u8]), Error> {
    match bytes.split_first() {
        Some((v, rest)) => Ok((*v, rest)),
        None => Err(Error::Database(format!(
            "a stored {what} record is empty; the file is damaged (restore a backup)"
        ))),
    }
}

/// Decodes a record body, insisting that every byte is used.
pub fn decode<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, Error> {
    let (value, used) = bincode::serde::decode_from_slice(body, config()).map_err(|e| {
        Error::Database(format!(
            "a stored {what} record cannot be read ({e}); the file is damaged (restore a backup)"
        ))
    })?;
    if used != body.len() {
        return Err(Error::Database(format!(
            "a stored {what} record has {} unexpected trailing bytes; the file is damaged (restore a backup)",
            body.len() - used
        )));
    }
    Ok(value)
}

pub fn unknown_version(what: &str, version: u8) -> Error {
    Error::Database(format!(
        "a stored {what} record has format version {version}, which this clientele does not know; \
         upgrade clientele to open this file"
    ))
}
