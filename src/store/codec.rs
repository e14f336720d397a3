//! The stored value format: one version byte, then bincode 2 of that version's frozen record.
//! This is the only module that knows bincode.

use crate::domain::error::Error;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// The largest value the store reads back. `encode` refuses anything larger, so no value is
/// committed that could not be read again; the core's limits keep every record far below it.
pub(crate) const LIMIT: usize = 16 << 20;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

/// A `Vec` that refuses to grow past `LIMIT` bytes, so an oversized record fails while it
/// is encoded instead of after it has been built in full. bincode's own writer trait, not
/// `std::io::Write`: a record is some forty small writes, each through one call.
struct Bounded {
    bytes: Vec<u8>,
    /// Whether a write was refused for passing `LIMIT`.
    over: bool,
}

impl bincode::enc::write::Writer for Bounded {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> Result<(), bincode::error::EncodeError> {
        if self.bytes.len() + buf.len() > LIMIT {
            self.over = true;
            return Err(bincode::error::EncodeError::Other("too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(())
    }
}

/// The version byte and the record; `what` names the record kind for error messages. A
/// record larger than the store reads back is refused, so the task fails and its
/// transaction is dropped.
pub fn encode<T: Serialize + DeserializeOwned>(
    version: u8,
    record: &T,
    what: &str,
) -> Result<Vec<u8>, Error> {
    let mut out = Bounded {
        bytes: Vec::with_capacity(256),
        over: false,
    };
    out.bytes.push(version);
    match bincode::serde::encode_into_writer(record, &mut out, config()) {
        Ok(()) => {}
        Err(_) if out.over => return Err(too_large(what)),
        Err(e) => {
            return Err(Error::Internal(format!(
                "cannot encode a {what} record: {e}"
            )))
        }
    }
    // Decoding counts each number at its width in memory (a u64 as 8 bytes however short
    // its encoding), so a large record is decoded once here to prove it reads back. Small
    // ones cannot reach the limit: nothing claims more than 24 times its encoded size.
    if out.bytes.len() > LIMIT / 32 {
        let read: Result<(T, usize), _> =
            bincode::serde::decode_from_slice(&out.bytes[1..], config());
        if read.is_err() {
            return Err(too_large(what));
        }
    }
    Ok(out.bytes)
}

fn too_large(what: &str) -> Error {
    Error::Refused(format!(
        "the {what} would take more than {} MiB in the file, more than clientele can read back; \
         nothing was changed (make it smaller: see the limits in the README)",
        LIMIT >> 20
    ))
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

/// Decodes a record body, insisting that every byte is used. A record may borrow its text
/// from `body` (the read twins of `records`).
pub fn decode<'a, T: Deserialize<'a>>(body: &'a [u8], what: &str) -> Result<T, Error> {
    let (value, used) = bincode::serde::borrow_decode_from_slice(body, config()).map_err(|e| {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The body bincode writes, without any check: what a careless writer would store.
    fn encode_unchecked<T: Serialize>(v: &T) -> Vec<u8> {
        bincode::serde::encode_to_vec(v, bincode::config::standard()).unwrap()
    }

    #[test]
    fn encode_refuses_what_decode_could_not_read() {
        let small = vec![7u8; 1000];
        let bytes = encode(1, &small, "test").unwrap();
        let (v, body) = version_of(&bytes, "test").unwrap();
        assert_eq!((v, decode::<Vec<u8>>(body, "test").unwrap()), (1, small));
        // Just over the limit once the length prefix is counted: refused, never written.
        let big = vec![0u8; LIMIT];
        let e = encode(1, &big, "customer").unwrap_err();
        assert!(matches!(e, Error::Refused(_)), "{e:?}");
        let m = e.to_string();
        assert!(
            m.contains("customer") && m.contains("16 MiB") && m.contains("nothing was changed"),
            "{m}"
        );
        // Decoding claims a little more than the bytes (each number at its width in memory),
        // so a value whose bytes alone just fit can still be unreadable: encode refuses it.
        let edge = vec![0u8; LIMIT - 64];
        let bytes = encode(1, &edge, "test").unwrap();
        assert_eq!(
            decode::<Vec<u8>>(&bytes[1..], "test").unwrap().len(),
            edge.len()
        );
        let over = vec![0u8; LIMIT - 6];
        assert_eq!(1 + encode_unchecked(&over).len(), LIMIT);
        assert!(over.len() < LIMIT);
        assert!(matches!(encode(1, &over, "test"), Err(Error::Refused(_))));
        assert!(decode::<Vec<u8>>(&encode_unchecked(&over), "test").is_err());
    }
}
