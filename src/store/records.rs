//! Frozen record structs: the file format. A struct here never changes once released; a new
//! shape gets a new struct and version byte, and `decode_*` upgrades older versions on read.
//! Enums are stored as the bytes `codes` fixes for them, never as positions in the domain.

use super::codec::{decode, encode, unknown_version, version_of};
use super::codes::{products_from_stored, products_to_stored, stored, Frozen};
use crate::domain::date::{Date, Timestamp};
use crate::domain::derive::OpenEvents;
use crate::domain::error::Error;
use crate::domain::model::*;
use crate::domain::summary::{LicenseFacts, Summary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A stored day count, refused when it lies outside the calendar clientele reads and writes.
fn date_at(what: &str, days: i32) -> Result<Date, Error> {
    Date::from_days(days).ok_or_else(|| {
        Error::Database(format!(
            "a stored {what} holds day {days}, outside 0001-01-01..9999-12-31; restore a backup"
        ))
    })
}

/// Generates `encode_x` / `decode_x` for a record kind with a single current version.
macro_rules! record_codec {
    ($what:literal, $enc:ident, $dec:ident, $domain:ty, $v1:ty) => {
        pub fn $enc(value: &$domain) -> Result<Vec<u8>, Error> {
            encode(1, &<$v1>::from(value), $what)
        }

        pub fn $dec(bytes: &[u8]) -> Result<$domain, Error> {
            match version_of(bytes, $what)? {
                (1, body) => decode::<$v1>(body, $what)?.into_domain(),
                (v, _) => Err(unknown_version($what, v)),
            }
        }
    };
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct LicenseV1 {
    pub id: u64,
    pub plan_id: u64,
    pub units: u32,
    pub used: u32,
    pub start: i32,
    pub expiry: i32,
}

impl LicenseV1 {
    /// The stored licence as the domain's, refusing a day number outside the calendar.
    fn into_license(self) -> Result<License, Error> {
        Ok(License {
            id: self.id,
            plan_id: self.plan_id,
            units: self.units,
            used: self.used,
            start: date_at("licence start", self.start)?,
            expiry: date_at("licence expiry", self.expiry)?,
        })
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct DeviceV1 {
    pub id: u64,
    pub name: String,
    pub serial: String,
    pub model: String,
    pub firmware: String,
    pub notified_version: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct CustomerV1 {
    pub id: u64,
    pub company: String,
    pub account_name: String,
    pub account_type: u8,
    pub status: u8,
    pub contact_first_name: String,
    pub contact_last_name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub time_zone: String,
    pub language: String,
    pub notes: String,
    pub licenses: Vec<LicenseV1>,
    pub devices: Vec<DeviceV1>,
    pub wfbs_template: Option<String>,
    pub cloud_edge_template: Option<String>,
    pub policies: Vec<(u8, Vec<String>)>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_transaction: i64,
}

impl From<&Customer> for CustomerV1 {
    fn from(c: &Customer) -> Self {
        let p = &c.profile;
        CustomerV1 {
            id: c.id,
            company: p.company.clone(),
            account_name: p.account_name.clone(),
            account_type: p.account_type.byte(),
            status: c.status.byte(),
            contact_first_name: p.contact_first_name.clone(),
            contact_last_name: p.contact_last_name.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            address: p.address.clone(),
            city: p.city.clone(),
            state: p.state.clone(),
            postal_code: p.postal_code.clone(),
            country: p.country.clone(),
            time_zone: p.time_zone.clone(),
            language: p.language.clone(),
            notes: p.notes.clone(),
            licenses: c
                .licenses
                .iter()
                .map(|l| LicenseV1 {
                    id: l.id,
                    plan_id: l.plan_id,
                    units: l.units,
                    used: l.used,
                    start: l.start.days(),
                    expiry: l.expiry.days(),
                })
                .collect(),
            devices: c
                .devices
                .iter()
                .map(|d| DeviceV1 {
                    id: d.id,
                    name: d.name.clone(),
                    serial: d.serial.clone(),
                    model: d.model.clone(),
                    firmware: d.firmware.clone(),
                    notified_version: d.notified_version.clone(),
                })
                .collect(),
            wfbs_template: c.wfbs_template.clone(),
            cloud_edge_template: c.cloud_edge_template.clone(),
            policies: c
                .policies
                .iter()
                .map(|(k, v)| (k.byte(), v.clone()))
                .collect(),
            created_at: c.created_at.0,
            updated_at: c.updated_at.0,
            last_transaction: c.last_transaction.0,
        }
    }
}

impl CustomerV1 {
    fn into_domain(self) -> Result<Customer, Error> {
        let mut policies = BTreeMap::new();
        for (k, v) in self.policies {
            policies.insert(stored::<PolicyList>(k)?, v);
        }
        Ok(Customer {
            id: self.id,
            profile: Profile {
                company: self.company,
                account_name: self.account_name,
                account_type: stored::<AccountType>(self.account_type)?,
                contact_first_name: self.contact_first_name,
                contact_last_name: self.contact_last_name,
                email: self.email,
                phone: self.phone,
                address: self.address,
                city: self.city,
                state: self.state,
                postal_code: self.postal_code,
                country: self.country,
                time_zone: self.time_zone,
                language: self.language,
                notes: self.notes,
            },
            status: stored::<CustomerStatus>(self.status)?,
            licenses: self
                .licenses
                .into_iter()
                .map(LicenseV1::into_license)
                .collect::<Result<_, Error>>()?,
            devices: self
                .devices
                .into_iter()
                .map(|d| Device {
                    id: d.id,
                    name: d.name,
                    serial: d.serial,
                    model: d.model,
                    firmware: d.firmware,
                    notified_version: d.notified_version,
                })
                .collect(),
            wfbs_template: self.wfbs_template,
            cloud_edge_template: self.cloud_edge_template,
            policies,
            created_at: Timestamp(self.created_at),
            updated_at: Timestamp(self.updated_at),
            last_transaction: Timestamp(self.last_transaction),
        })
    }
}

record_codec!(
    "customer",
    encode_customer,
    decode_customer,
    Customer,
    CustomerV1
);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct SummaryV1 {
    pub id: u64,
    pub company_key: String,
    pub account_key: String,
    pub haystack: String,
    pub account_type: u8,
    pub status: u8,
    pub products: u8,
    /// (expiry, units, used, notice_days, managed)
    pub licenses: Vec<(i32, u32, u32, u32, bool)>,
    pub devices: Vec<(String, String)>,
    pub open_action_required: u32,
    pub open_warning: u32,
    pub last_transaction: i64,
}

impl From<&Summary> for SummaryV1 {
    fn from(s: &Summary) -> Self {
        SummaryV1 {
            id: s.id,
            company_key: s.company_key.clone(),
            account_key: s.account_key.clone(),
            haystack: s.haystack.clone(),
            account_type: s.account_type.byte(),
            status: s.status.byte(),
            products: products_to_stored(s.products),
            licenses: s
                .licenses
                .iter()
                .map(|l| (l.expiry.days(), l.units, l.used, l.notice_days, l.managed))
                .collect(),
            devices: s.devices.clone(),
            open_action_required: s.open.action_required,
            open_warning: s.open.warning,
            last_transaction: s.last_transaction.0,
        }
    }
}

impl SummaryV1 {
    fn into_domain(self) -> Result<Summary, Error> {
        Ok(Summary {
            id: self.id,
            company_key: self.company_key,
            account_key: self.account_key,
            haystack: self.haystack,
            account_type: stored::<AccountType>(self.account_type)?,
            status: stored::<CustomerStatus>(self.status)?,
            products: products_from_stored(self.products)?,
            licenses: self
                .licenses
                .into_iter()
                .map(|(expiry, units, used, notice_days, managed)| {
                    Ok(LicenseFacts {
                        expiry: date_at("licence expiry", expiry)?,
                        units,
                        used,
                        notice_days,
                        managed,
                    })
                })
                .collect::<Result<_, Error>>()?,
            devices: self.devices,
            open: OpenEvents {
                action_required: self.open_action_required,
                warning: self.open_warning,
            },
            last_transaction: Timestamp(self.last_transaction),
        })
    }
}

record_codec!(
    "customer summary",
    encode_summary,
    decode_summary,
    Summary,
    SummaryV1
);

/// Whether stored text is UTF-8, as the owned decode insists (ASCII, the common case, is
/// checked a word at a time).
fn is_text(bytes: &[u8]) -> bool {
    bytes.is_ascii() || std::str::from_utf8(bytes).is_ok()
}

/// Stored text as its bytes, borrowed from the stored value: the read twins take text this
/// way and check it with [`is_text`] once the whole record is read.
pub type Text<'a> = &'a [u8];

/// A stored list read element by element and not kept: each element is decoded exactly as
/// the owned record decodes it (so the same bytes are accepted and refused), then checked.
/// `valid` is false when an element fails `Checked::check`.
#[derive(Debug, Default)]
pub struct Unkept<T> {
    pub valid: bool,
    kind: std::marker::PhantomData<T>,
}

/// What the owned record's decode checks of one element of a list.
pub trait Checked {
    fn check(&self) -> bool;
}

impl Checked for (Text<'_>, Text<'_>) {
    fn check(&self) -> bool {
        is_text(self.0) && is_text(self.1)
    }
}

impl Checked for (i32, u32, u32, u32, bool) {
    fn check(&self) -> bool {
        Date::from_days(self.0).is_some()
    }
}

impl Checked for (u8, Unkept<Text<'_>>) {
    fn check(&self) -> bool {
        PolicyList::from_byte(self.0).is_some() && self.1.valid
    }
}

impl Checked for Text<'_> {
    fn check(&self) -> bool {
        is_text(self)
    }
}

impl<'de, T: Deserialize<'de> + Checked> Deserialize<'de> for Unkept<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Each<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Checked> serde::de::Visitor<'de> for Each<T> {
            type Value = Unkept<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut valid = true;
                while let Some(item) = seq.next_element::<T>()? {
                    valid &= item.check();
                }
                Ok(Unkept {
                    valid,
                    kind: std::marker::PhantomData,
                })
            }
        }
        d.deserialize_seq(Each(std::marker::PhantomData))
    }
}

/// The read twin of [`DeviceV1`]: the same bytes, its text borrowed from the stored value.
#[derive(Deserialize, Debug, PartialEq)]
pub struct DeviceV1Ref<'a> {
    pub id: u64,
    pub name: Text<'a>,
    pub serial: Text<'a>,
    pub model: Text<'a>,
    pub firmware: Text<'a>,
    #[serde(borrow)]
    pub notified_version: Option<Text<'a>>,
}

/// The read twin of [`CustomerV1`] for reading many customers fast (the CSV export): the same
/// bytes, its text borrowed from the stored value and its policies checked but not kept.
/// [`decode_customer_ref`] accepts exactly the values [`decode_customer`] accepts.
#[derive(Deserialize, Debug)]
pub struct CustomerV1Ref<'a> {
    pub id: u64,
    pub company: Text<'a>,
    pub account_name: Text<'a>,
    pub account_type: u8,
    pub status: u8,
    pub contact_first_name: Text<'a>,
    pub contact_last_name: Text<'a>,
    pub email: Text<'a>,
    pub phone: Text<'a>,
    pub address: Text<'a>,
    pub city: Text<'a>,
    pub state: Text<'a>,
    pub postal_code: Text<'a>,
    pub country: Text<'a>,
    pub time_zone: Text<'a>,
    pub language: Text<'a>,
    pub notes: Text<'a>,
    pub licenses: Vec<LicenseV1>,
    #[serde(borrow)]
    pub devices: Vec<DeviceV1Ref<'a>>,
    #[serde(borrow)]
    pub wfbs_template: Option<Text<'a>>,
    #[serde(borrow)]
    pub cloud_edge_template: Option<Text<'a>>,
    #[serde(borrow)]
    pub policies: Unkept<(u8, Unkept<Text<'a>>)>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_transaction: i64,
}

impl CustomerV1Ref<'_> {
    /// Whether every text of the record is UTF-8 and every policy list code is known.
    fn checked(&self) -> bool {
        let profile = [
            self.company,
            self.account_name,
            self.contact_first_name,
            self.contact_last_name,
            self.email,
            self.phone,
            self.address,
            self.city,
            self.state,
            self.postal_code,
            self.country,
            self.time_zone,
            self.language,
            self.notes,
        ];
        profile.iter().all(|t| is_text(t))
            && self.devices.iter().all(|d| {
                [d.name, d.serial, d.model, d.firmware]
                    .iter()
                    .all(|t| is_text(t))
                    && d.notified_version.is_none_or(is_text)
            })
            && self.wfbs_template.is_none_or(is_text)
            && self.cloud_edge_template.is_none_or(is_text)
            && self.policies.valid
    }
}

/// A customer as [`decode_customer_ref`] reads it: the codes and dates checked as
/// [`decode_customer`] checks them, the text borrowed from the stored value.
#[derive(Debug)]
pub struct CustomerRef<'a> {
    pub record: CustomerV1Ref<'a>,
    pub account_type: AccountType,
    pub status: CustomerStatus,
    pub licenses: Vec<License>,
}

impl<'a> CustomerRef<'a> {
    /// A customer already read, in the twin's shape (for rows written from a `Customer`).
    pub fn of(c: &'a Customer) -> CustomerRef<'a> {
        let p = &c.profile;
        let opt = |t: &'a Option<String>| t.as_deref().map(str::as_bytes);
        CustomerRef {
            record: CustomerV1Ref {
                id: c.id,
                company: p.company.as_bytes(),
                account_name: p.account_name.as_bytes(),
                account_type: p.account_type.byte(),
                status: c.status.byte(),
                contact_first_name: p.contact_first_name.as_bytes(),
                contact_last_name: p.contact_last_name.as_bytes(),
                email: p.email.as_bytes(),
                phone: p.phone.as_bytes(),
                address: p.address.as_bytes(),
                city: p.city.as_bytes(),
                state: p.state.as_bytes(),
                postal_code: p.postal_code.as_bytes(),
                country: p.country.as_bytes(),
                time_zone: p.time_zone.as_bytes(),
                language: p.language.as_bytes(),
                notes: p.notes.as_bytes(),
                licenses: Vec::new(),
                devices: c
                    .devices
                    .iter()
                    .map(|d| DeviceV1Ref {
                        id: d.id,
                        name: d.name.as_bytes(),
                        serial: d.serial.as_bytes(),
                        model: d.model.as_bytes(),
                        firmware: d.firmware.as_bytes(),
                        notified_version: opt(&d.notified_version),
                    })
                    .collect(),
                wfbs_template: opt(&c.wfbs_template),
                cloud_edge_template: opt(&c.cloud_edge_template),
                policies: Unkept {
                    valid: true,
                    kind: std::marker::PhantomData,
                },
                created_at: c.created_at.0,
                updated_at: c.updated_at.0,
                last_transaction: c.last_transaction.0,
            },
            account_type: p.account_type,
            status: c.status,
            licenses: c.licenses.clone(),
        }
    }
}

/// The bincode layout of the read twins, read by hand: what `codec::decode` reads through
/// serde (bincode 2's standard configuration: variable-length little-endian integers, zigzag
/// for signed ones, a length before each text and list, a tag byte before an option), field
/// by field in the twins' order, for the export's millions of rows. A value is refused where
/// bincode refuses it; the decode's size limit cannot be reached by a body of at most
/// [`HAND_READ`] bytes (no field claims more than 8 bytes per byte it takes), so longer ones
/// go through serde.
struct Layout<'a> {
    rest: &'a [u8],
}

/// The longest body [`Layout`] reads: its decode cannot claim more than `codec::LIMIT`.
const HAND_READ: usize = super::codec::LIMIT / 8;

impl<'a> Layout<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(b)
    }

    fn bool(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// An unsigned integer of at most `width` bytes (2, 4 or 8).
    fn varint(&mut self, width: usize) -> Option<u64> {
        let n = match self.u8()? {
            b @ 0..=250 => return Some(u64::from(b)),
            251 => 2,
            252 => 4,
            253 => 8,
            _ => return None,
        };
        if n > width {
            return None;
        }
        let mut le = [0u8; 8];
        le[..n].copy_from_slice(self.take(n)?);
        Some(u64::from_le_bytes(le))
    }

    fn u32(&mut self) -> Option<u32> {
        self.varint(4).map(|n| n as u32)
    }

    fn u64(&mut self) -> Option<u64> {
        self.varint(8)
    }

    fn i32(&mut self) -> Option<i32> {
        let n = self.u32()?;
        Some(((n >> 1) as i32) ^ -((n & 1) as i32))
    }

    fn i64(&mut self) -> Option<i64> {
        let n = self.u64()?;
        Some(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    fn len(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    fn text(&mut self) -> Option<Text<'a>> {
        let n = self.len()?;
        self.take(n).filter(|t| is_text(t))
    }

    fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.u8()? {
            0 => Some(None),
            1 => read(self).map(Some),
            _ => None,
        }
    }

    /// A customer record (`CustomerV1`), its codes and dates checked as `into_domain` checks them.
    fn customer(&mut self) -> Option<CustomerRef<'a>> {
        let id = self.u64()?;
        let company = self.text()?;
        let account_name = self.text()?;
        let account_type = self.u8()?;
        let status = self.u8()?;
        let mut profile = [&[][..]; 12];
        for t in &mut profile {
            *t = self.text()?;
        }
        let [contact_first_name, contact_last_name, email, phone, address, city, state, postal_code, country, time_zone, language, notes] =
            profile;
        let n = self.len()?;
        let mut licenses = Vec::with_capacity(n.min(self.rest.len()));
        for _ in 0..n {
            licenses.push(License {
                id: self.u64()?,
                plan_id: self.u64()?,
                units: self.u32()?,
                used: self.u32()?,
                start: Date::from_days(self.i32()?)?,
                expiry: Date::from_days(self.i32()?)?,
            });
        }
        let n = self.len()?;
        let mut devices = Vec::with_capacity(n.min(self.rest.len()));
        for _ in 0..n {
            devices.push(DeviceV1Ref {
                id: self.u64()?,
                name: self.text()?,
                serial: self.text()?,
                model: self.text()?,
                firmware: self.text()?,
                notified_version: self.option(Self::text)?,
            });
        }
        let wfbs_template = self.option(Self::text)?;
        let cloud_edge_template = self.option(Self::text)?;
        for _ in 0..self.len()? {
            PolicyList::from_byte(self.u8()?)?;
            for _ in 0..self.len()? {
                self.text()?;
            }
        }
        let record = CustomerV1Ref {
            id,
            company,
            account_name,
            account_type,
            status,
            contact_first_name,
            contact_last_name,
            email,
            phone,
            address,
            city,
            state,
            postal_code,
            country,
            time_zone,
            language,
            notes,
            licenses: Vec::new(),
            devices,
            wfbs_template,
            cloud_edge_template,
            policies: Unkept {
                valid: true,
                kind: std::marker::PhantomData,
            },
            created_at: self.i64()?,
            updated_at: self.i64()?,
            last_transaction: self.i64()?,
        };
        Some(CustomerRef {
            account_type: AccountType::from_byte(account_type)?,
            status: CustomerStatus::from_byte(status)?,
            licenses,
            record,
        })
        .filter(|_| self.rest.is_empty())
    }

    /// A summary record (`SummaryV1`), checked as `into_domain` checks it: its open counts.
    fn summary_open(&mut self) -> Option<OpenEvents> {
        self.u64()?;
        for _ in 0..3 {
            self.text()?;
        }
        AccountType::from_byte(self.u8()?)?;
        CustomerStatus::from_byte(self.u8()?)?;
        products_from_stored(self.u8()?).ok()?;
        for _ in 0..self.len()? {
            Date::from_days(self.i32()?)?;
            self.u32()?;
            self.u32()?;
            self.u32()?;
            self.bool()?;
        }
        for _ in 0..self.len()? {
            self.text()?;
            self.text()?;
        }
        let open = OpenEvents {
            action_required: self.u32()?,
            warning: self.u32()?,
        };
        self.i64()?;
        Some(open).filter(|_| self.rest.is_empty())
    }
}

/// Reads a stored customer without copying its text; it fails exactly where
/// [`decode_customer`] fails.
pub fn decode_customer_ref(bytes: &[u8]) -> Result<CustomerRef<'_>, Error> {
    if let Some((1, body)) = bytes.split_first().map(|(v, b)| (*v, b)) {
        if body.len() <= HAND_READ {
            return match (Layout { rest: body }).customer() {
                Some(c) => Ok(c),
                // The owned decode says what is wrong.
                None => Err(refused_by(decode_customer(bytes))),
            };
        }
    }
    decode_customer_serde(bytes)
}

/// [`decode_customer_ref`] through serde.
fn decode_customer_serde(bytes: &[u8]) -> Result<CustomerRef<'_>, Error> {
    const WHAT: &str = "customer";
    let mut record = match version_of(bytes, WHAT)? {
        (1, body) => decode::<CustomerV1Ref>(body, WHAT)?,
        (v, _) => return Err(unknown_version(WHAT, v)),
    };
    if !record.checked() {
        // The owned decode names the text or list code it refuses.
        return Err(refused_by(decode_customer(bytes)));
    }
    let licenses = std::mem::take(&mut record.licenses)
        .into_iter()
        .map(LicenseV1::into_license)
        .collect::<Result<_, Error>>()?;
    Ok(CustomerRef {
        account_type: stored::<AccountType>(record.account_type)?,
        status: stored::<CustomerStatus>(record.status)?,
        licenses,
        record,
    })
}

/// The owned decode's error for a value a read twin refused.
fn refused_by<T>(owned: Result<T, Error>) -> Error {
    owned.err().unwrap_or_else(|| {
        Error::Internal("a read twin refused a record its owned decode reads".into())
    })
}

/// The read twin of [`SummaryV1`] for the figures a CSV row takes from a summary (the open
/// event counts): every field is read and checked as [`decode_summary`] checks it, nothing
/// is kept but the counts.
#[derive(Deserialize, Debug)]
pub struct SummaryV1Ref<'a> {
    pub id: u64,
    pub company_key: Text<'a>,
    pub account_key: Text<'a>,
    pub haystack: Text<'a>,
    pub account_type: u8,
    pub status: u8,
    pub products: u8,
    pub licenses: Unkept<(i32, u32, u32, u32, bool)>,
    #[serde(borrow)]
    pub devices: Unkept<(Text<'a>, Text<'a>)>,
    pub open_action_required: u32,
    pub open_warning: u32,
    pub last_transaction: i64,
}

/// A stored summary's open event counts; it fails exactly where [`decode_summary`] fails.
pub fn decode_summary_open(bytes: &[u8]) -> Result<OpenEvents, Error> {
    if let Some((1, body)) = bytes.split_first().map(|(v, b)| (*v, b)) {
        if body.len() <= HAND_READ {
            return match (Layout { rest: body }).summary_open() {
                Some(open) => Ok(open),
                None => decode_summary(bytes).map(|s| s.open),
            };
        }
    }
    decode_summary_open_serde(bytes)
}

/// [`decode_summary_open`] through serde.
fn decode_summary_open_serde(bytes: &[u8]) -> Result<OpenEvents, Error> {
    const WHAT: &str = "customer summary";
    let s = match version_of(bytes, WHAT)? {
        (1, body) => decode::<SummaryV1Ref>(body, WHAT)?,
        (v, _) => return Err(unknown_version(WHAT, v)),
    };
    let checked = [s.company_key, s.account_key, s.haystack]
        .iter()
        .all(|t| is_text(t))
        && s.licenses.valid
        && s.devices.valid;
    if !checked {
        // The owned decode names the text or day it refuses.
        return decode_summary(bytes).map(|s| s.open);
    }
    stored::<AccountType>(s.account_type)?;
    stored::<CustomerStatus>(s.status)?;
    products_from_stored(s.products)?;
    Ok(OpenEvents {
        action_required: s.open_action_required,
        warning: s.open_warning,
    })
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct PlanV1 {
    pub id: u64,
    pub name: String,
    pub product: u8,
    pub kind: u8,
    pub months: u32,
    pub notice_days: u32,
    pub auto_renew: bool,
    pub managed: bool,
    pub enabled: bool,
    pub end_of_life: bool,
}

impl From<&Plan> for PlanV1 {
    fn from(p: &Plan) -> Self {
        PlanV1 {
            id: p.id,
            name: p.name.clone(),
            product: p.product.byte(),
            kind: p.kind.byte(),
            months: p.months,
            notice_days: p.notice_days,
            auto_renew: p.auto_renew,
            managed: p.managed,
            enabled: p.enabled,
            end_of_life: p.end_of_life,
        }
    }
}

impl PlanV1 {
    fn into_domain(self) -> Result<Plan, Error> {
        Ok(Plan {
            id: self.id,
            name: self.name,
            product: stored::<Product>(self.product)?,
            kind: stored::<PlanKind>(self.kind)?,
            months: self.months,
            notice_days: self.notice_days,
            auto_renew: self.auto_renew,
            managed: self.managed,
            enabled: self.enabled,
            end_of_life: self.end_of_life,
        })
    }
}

record_codec!("plan", encode_plan, decode_plan, Plan, PlanV1);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct TemplateV1 {
    pub name: String,
    pub product: u8,
    pub settings: Vec<(String, String)>,
}

impl From<&Template> for TemplateV1 {
    fn from(t: &Template) -> Self {
        TemplateV1 {
            name: t.name.clone(),
            product: t.product.byte(),
            settings: t.settings.clone().into_iter().collect(),
        }
    }
}

impl TemplateV1 {
    fn into_domain(self) -> Result<Template, Error> {
        Ok(Template {
            name: self.name,
            product: stored::<Product>(self.product)?,
            settings: self.settings.into_iter().collect(),
        })
    }
}

record_codec!(
    "template",
    encode_template,
    decode_template,
    Template,
    TemplateV1
);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct EventV1 {
    pub id: u64,
    pub customer_id: u64,
    pub kind: u8,
    pub severity: u8,
    pub category: String,
    pub message: String,
    pub time: i64,
    pub resolved_at: Option<i64>,
}

impl From<&Event> for EventV1 {
    fn from(e: &Event) -> Self {
        EventV1 {
            id: e.id,
            customer_id: e.customer_id,
            kind: e.kind.byte(),
            severity: e.severity.byte(),
            category: e.category.clone(),
            message: e.message.clone(),
            time: e.time.0,
            resolved_at: e.resolved_at.map(|t| t.0),
        }
    }
}

impl EventV1 {
    fn into_domain(self) -> Result<Event, Error> {
        Ok(Event {
            id: self.id,
            customer_id: self.customer_id,
            kind: stored::<EventKind>(self.kind)?,
            severity: stored::<Severity>(self.severity)?,
            category: self.category,
            message: self.message,
            time: Timestamp(self.time),
            resolved_at: self.resolved_at.map(Timestamp),
        })
    }
}

record_codec!("event", encode_event, decode_event, Event, EventV1);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct FirmwareV1 {
    pub model: String,
    pub version: String,
}

impl From<&Firmware> for FirmwareV1 {
    fn from(f: &Firmware) -> Self {
        FirmwareV1 {
            model: f.model.clone(),
            version: f.version.clone(),
        }
    }
}

impl FirmwareV1 {
    fn into_domain(self) -> Result<Firmware, Error> {
        Ok(Firmware {
            model: self.model,
            version: self.version,
        })
    }
}

record_codec!(
    "firmware",
    encode_firmware,
    decode_firmware,
    Firmware,
    FirmwareV1
);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct OutboxV1 {
    pub id: u64,
    pub customer_id: u64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
}

impl From<&OutboxMessage> for OutboxV1 {
    fn from(m: &OutboxMessage) -> Self {
        OutboxV1 {
            id: m.id,
            customer_id: m.customer_id,
            to: m.to.clone(),
            subject: m.subject.clone(),
            body: m.body.clone(),
            created_at: m.created_at.0,
        }
    }
}

impl OutboxV1 {
    fn into_domain(self) -> Result<OutboxMessage, Error> {
        Ok(OutboxMessage {
            id: self.id,
            customer_id: self.customer_id,
            to: self.to,
            subject: self.subject,
            body: self.body,
            created_at: Timestamp(self.created_at),
        })
    }
}

record_codec!(
    "outbox message",
    encode_outbox,
    decode_outbox,
    OutboxMessage,
    OutboxV1
);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct AuditV1 {
    pub id: u64,
    pub time: i64,
    pub actor: u8,
    pub task: String,
    pub customers: Vec<u64>,
    pub outcome: String,
    /// (field, old, new)
    pub changes: Vec<(String, String, String)>,
    pub snapshot: Option<String>,
}

impl From<&AuditEntry> for AuditV1 {
    fn from(a: &AuditEntry) -> Self {
        AuditV1 {
            id: a.id,
            time: a.time.0,
            actor: a.actor.byte(),
            task: a.task.clone(),
            customers: a.customers.clone(),
            outcome: a.outcome.clone(),
            changes: a
                .changes
                .iter()
                .map(|c| (c.field.clone(), c.old.clone(), c.new.clone()))
                .collect(),
            snapshot: a.snapshot.clone(),
        }
    }
}

impl AuditV1 {
    fn into_domain(self) -> Result<AuditEntry, Error> {
        Ok(AuditEntry {
            id: self.id,
            time: Timestamp(self.time),
            actor: stored::<Actor>(self.actor)?,
            task: self.task,
            customers: self.customers,
            outcome: self.outcome,
            changes: self
                .changes
                .into_iter()
                .map(|(field, old, new)| FieldChange { field, old, new })
                .collect(),
            snapshot: self.snapshot,
        })
    }
}

record_codec!(
    "audit entry",
    encode_audit,
    decode_audit,
    AuditEntry,
    AuditV1
);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct TaskRunV1 {
    pub id: u64,
    pub time: i64,
    pub actor: u8,
    pub task: String,
    pub request: String,
    pub key: Option<String>,
    pub ok: u64,
    pub skipped: u64,
    pub failed: u64,
    /// (customer id, company, outcome, reason)
    pub results: Vec<(u64, String, u8, Option<String>)>,
    pub omitted: u64,
}

impl From<&TaskRun> for TaskRunV1 {
    fn from(r: &TaskRun) -> Self {
        TaskRunV1 {
            id: r.id,
            time: r.time.0,
            actor: r.actor.byte(),
            task: r.task.clone(),
            request: r.request.clone(),
            key: r.key.clone(),
            ok: r.ok,
            skipped: r.skipped,
            failed: r.failed,
            results: r
                .results
                .iter()
                .map(|t| (t.id, t.company.clone(), t.outcome.byte(), t.reason.clone()))
                .collect(),
            omitted: r.omitted,
        }
    }
}

impl TaskRunV1 {
    fn into_domain(self) -> Result<TaskRun, Error> {
        Ok(TaskRun {
            id: self.id,
            time: Timestamp(self.time),
            actor: stored::<Actor>(self.actor)?,
            task: self.task,
            request: self.request,
            key: self.key,
            ok: self.ok,
            skipped: self.skipped,
            failed: self.failed,
            results: self
                .results
                .into_iter()
                .map(|(id, company, outcome, reason)| {
                    Ok(TaskResult {
                        id,
                        company,
                        outcome: stored::<Outcome>(outcome)?,
                        reason,
                    })
                })
                .collect::<Result<_, Error>>()?,
            omitted: self.omitted,
        })
    }
}

record_codec!(
    "task run",
    encode_task_run,
    decode_task_run,
    TaskRun,
    TaskRunV1
);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct SettingsV1 {
    pub view: u8,
}

impl From<&Settings> for SettingsV1 {
    fn from(s: &Settings) -> Self {
        SettingsV1 {
            view: s.view.byte(),
        }
    }
}

impl SettingsV1 {
    fn into_domain(self) -> Result<Settings, Error> {
        Ok(Settings {
            view: stored::<View>(self.view)?,
        })
    }
}

record_codec!(
    "settings",
    encode_settings,
    decode_settings,
    Settings,
    SettingsV1
);

/// Samples of every record version, committed under `tests/data/records/`. A sample must
/// always decode to the same value: that is what keeps old files readable.
#[cfg(test)]
mod samples {
    use super::*;
    use std::path::PathBuf;

    fn customer() -> Customer {
        let mut policies = BTreeMap::new();
        policies.insert(
            PolicyList::BlockedUrls,
            vec!["https://bad.example/".to_string()],
        );
        Customer {
            id: 42,
            profile: Profile {
                company: "Müller, \"Bau\" & Söhne; 東京 🚀".into(),
                account_name: "mueller-bau_01".into(),
                account_type: AccountType::Lmp,
                contact_first_name: "Zoë".into(),
                contact_last_name: "O'Neil".into(),
                email: "zoe@mueller.example".into(),
                phone: "+49 (30) 123-456".into(),
                address: "Hauptstraße 1\nHinterhaus".into(),
                city: "Berlin".into(),
                state: "Berlin".into(),
                postal_code: "10115".into(),
                country: "DE".into(),
                time_zone: "Europe/Berlin".into(),
                language: "de-DE".into(),
                notes: "=SUM(A1)\nline two".into(),
            },
            status: CustomerStatus::Suspended,
            licenses: vec![License {
                id: 7,
                plan_id: 3,
                units: 25,
                used: 30,
                start: Date::from_days(20_000).unwrap(),
                expiry: Date::from_days(20_365).unwrap(),
            }],
            devices: vec![Device {
                id: 9,
                name: "Edge 1".into(),
                serial: "CE-0001".into(),
                model: "CE100".into(),
                firmware: "1.2.3".into(),
                notified_version: Some("1.4.0".into()),
            }],
            wfbs_template: Some("Strict".into()),
            cloud_edge_template: None,
            policies,
            created_at: Timestamp(1_700_000_000),
            updated_at: Timestamp(1_700_000_100),
            last_transaction: Timestamp(1_700_000_200),
        }
    }

    fn samples() -> Vec<(&'static str, Vec<u8>)> {
        let catalog_plan = Plan {
            id: 3,
            name: "WFBS-S Full 12".into(),
            product: Product::Wfbss,
            kind: PlanKind::Full,
            months: 12,
            notice_days: 30,
            auto_renew: true,
            managed: true,
            enabled: true,
            end_of_life: false,
        };
        let c = customer();
        let catalog = crate::domain::derive::Catalog::new(vec![catalog_plan.clone()], vec![]);
        let summary = Summary::of(
            &c,
            OpenEvents {
                action_required: 2,
                warning: 1,
            },
            &catalog,
        );
        let mut settings = BTreeMap::new();
        settings.insert("scan".to_string(), "daily".to_string());
        let ok = |r: Result<Vec<u8>, Error>| r.expect("encode");
        vec![
            ("customer-v1.bin", ok(encode_customer(&c))),
            ("summary-v1.bin", ok(encode_summary(&summary))),
            ("plan-v1.bin", ok(encode_plan(&catalog_plan))),
            (
                "template-v1.bin",
                ok(encode_template(&Template {
                    name: "Strict".into(),
                    product: Product::Wfbss,
                    settings,
                })),
            ),
            (
                "event-v1.bin",
                ok(encode_event(&Event {
                    id: 5,
                    customer_id: 42,
                    kind: EventKind::Threat,
                    severity: Severity::ActionRequired,
                    category: "antivirus".into(),
                    message: "Virus found: EICAR".into(),
                    time: Timestamp(1_700_000_300),
                    resolved_at: Some(Timestamp(1_700_000_400)),
                })),
            ),
            (
                "firmware-v1.bin",
                ok(encode_firmware(&Firmware {
                    model: "CE100".into(),
                    version: "1.4.0".into(),
                })),
            ),
            (
                "outbox-v1.bin",
                ok(encode_outbox(&OutboxMessage {
                    id: 1,
                    customer_id: 42,
                    to: "zoe@mueller.example".into(),
                    subject: "Firmware".into(),
                    body: "Hallo\nWelt".into(),
                    created_at: Timestamp(1_700_000_500),
                })),
            ),
            (
                "audit-v1.bin",
                ok(encode_audit(&AuditEntry {
                    id: 11,
                    time: Timestamp(1_700_000_600),
                    actor: Actor::Web,
                    task: "edit customer".into(),
                    customers: vec![42],
                    outcome: "ok".into(),
                    changes: vec![FieldChange {
                        field: "email".into(),
                        old: "a@b.example".into(),
                        new: "c@d.example".into(),
                    }],
                    snapshot: Some("{}".into()),
                })),
            ),
            (
                "task-run-v1.bin",
                ok(encode_task_run(&TaskRun {
                    id: 3,
                    time: Timestamp(1_700_000_700),
                    actor: Actor::Api,
                    task: "renew".into(),
                    request: "renew?include_expiring=no ids=42,43".into(),
                    key: Some("retry-7".into()),
                    ok: 1,
                    skipped: 1,
                    failed: 0,
                    results: vec![
                        TaskResult {
                            id: 42,
                            company: "Bau Müller".into(),
                            outcome: Outcome::Ok,
                            reason: Some("renewed until 2027-11-30".into()),
                        },
                        TaskResult {
                            id: 43,
                            company: "東京".into(),
                            outcome: Outcome::Skipped,
                            reason: None,
                        },
                    ],
                    omitted: 0,
                })),
            ),
            (
                "settings-v1.bin",
                ok(encode_settings(&Settings {
                    view: View::Managed,
                })),
            ),
        ]
    }

    fn dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/records")
    }

    /// Set CLIENTELE_WRITE_SAMPLES=1 once when a new record version is introduced: it writes
    /// the samples of the new version's files only. Samples are write-once, so a released
    /// version's bytes are never replaced by what today's code produces.
    #[test]
    fn committed_samples_still_decode() {
        if std::env::var_os("CLIENTELE_WRITE_SAMPLES").is_some() {
            std::fs::create_dir_all(dir()).unwrap();
            for (name, bytes) in samples() {
                let new = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(dir().join(name));
                if let Ok(mut file) = new {
                    std::io::Write::write_all(&mut file, &bytes).unwrap();
                    eprintln!("wrote the new sample {name}; commit it");
                }
            }
        }
        for (name, fresh) in samples() {
            let stored = std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                stored, fresh,
                "{name}: the encoding of this record version changed"
            );
        }
        let read = |name: &str| std::fs::read(dir().join(name)).unwrap();
        assert_eq!(
            decode_customer(&read("customer-v1.bin")).unwrap(),
            customer()
        );
        assert_eq!(
            decode_settings(&read("settings-v1.bin")).unwrap().view,
            View::Managed
        );
        assert_eq!(
            decode_audit(&read("audit-v1.bin")).unwrap().changes[0].new,
            "c@d.example"
        );
        assert_eq!(
            decode_event(&read("event-v1.bin")).unwrap().category,
            "antivirus"
        );
        assert_eq!(
            decode_summary(&read("summary-v1.bin"))
                .unwrap()
                .open
                .action_required,
            2
        );
        assert_eq!(
            decode_plan(&read("plan-v1.bin")).unwrap().name,
            "WFBS-S Full 12"
        );
        assert_eq!(
            decode_template(&read("template-v1.bin"))
                .unwrap()
                .settings
                .len(),
            1
        );
        assert_eq!(
            decode_firmware(&read("firmware-v1.bin")).unwrap().version,
            "1.4.0"
        );
        assert_eq!(
            decode_outbox(&read("outbox-v1.bin")).unwrap().body,
            "Hallo\nWelt"
        );
        let run = decode_task_run(&read("task-run-v1.bin")).unwrap();
        assert_eq!(run.results[1].outcome, Outcome::Skipped);
        assert_eq!(run.key.as_deref(), Some("retry-7"));
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        let good = encode_customer(&customer()).unwrap();
        assert!(matches!(decode_customer(&[]), Err(Error::Database(_))));
        assert!(matches!(
            decode_customer(&[9, 1, 2]),
            Err(Error::Database(_))
        ));
        for cut in 1..good.len() {
            assert!(decode_customer(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(decode_customer(&trailing).is_err());
        // A huge length prefix must be refused by the size limit, not allocated.
        let mut huge = vec![1u8, 42];
        huge.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]);
        assert!(decode_customer(&huge).is_err());
    }
}

/// The worst case the core's limits allow, record by record, with four-byte characters in
/// every text: each must encode well below the store's limit and decode again. The sizes
/// (printed with `--nocapture`) are the ones README's "Limits" section quotes.
#[cfg(test)]
mod worst_case {
    use super::*;
    use crate::domain::derive::Catalog;
    use crate::domain::limits as max;

    /// `n` characters of four bytes each.
    fn text(n: usize) -> String {
        "🚀".repeat(n)
    }

    fn plan() -> Plan {
        Plan {
            id: u64::MAX,
            name: text(max::NAME),
            product: Product::Wfbss,
            kind: PlanKind::Full,
            months: 120,
            notice_days: 365,
            auto_renew: true,
            managed: true,
            enabled: true,
            end_of_life: false,
        }
    }

    fn customer() -> Customer {
        let device = |i: u64| Device {
            id: u64::MAX - i,
            name: text(max::DEVICE_TEXT),
            serial: "S".repeat(max::DEVICE_TEXT),
            model: text(max::DEVICE_TEXT),
            firmware: "9".repeat(max::VERSION),
            notified_version: Some("9".repeat(max::VERSION)),
        };
        // A list at its character maximum, spread over its most entries.
        let list = vec![text(max::POLICY_LIST / max::POLICY_ENTRIES); max::POLICY_ENTRIES];
        Customer {
            id: u64::MAX,
            profile: Profile {
                company: text(max::COMPANY),
                account_name: text(max::ACCOUNT_NAME),
                account_type: AccountType::Lmp,
                contact_first_name: text(max::CONTACT_NAME),
                contact_last_name: text(max::CONTACT_NAME),
                email: text(max::EMAIL),
                phone: text(max::PHONE),
                address: text(max::ADDRESS),
                city: text(max::CITY_STATE),
                state: text(max::CITY_STATE),
                postal_code: text(max::POSTAL_CODE),
                country: text(2),
                time_zone: text(max::TIME_ZONE),
                language: text(max::LANGUAGE),
                notes: text(max::NOTES),
            },
            status: CustomerStatus::Active,
            licenses: (0..max::LICENSES as u64)
                .map(|i| License {
                    id: u64::MAX - i,
                    plan_id: u64::MAX,
                    units: u32::MAX,
                    used: u32::MAX,
                    start: Date::FIRST,
                    expiry: Date::LAST,
                })
                .collect(),
            devices: (0..max::DEVICES as u64).map(device).collect(),
            wfbs_template: Some(text(max::NAME)),
            cloud_edge_template: Some(text(max::NAME)),
            policies: PolicyList::ALL.iter().map(|l| (*l, list.clone())).collect(),
            created_at: Timestamp(i64::MIN),
            updated_at: Timestamp(i64::MIN),
            last_transaction: Timestamp(i64::MIN),
        }
    }

    /// Encodes, decodes, and returns the encoded size.
    fn size<T>(
        what: &str,
        enc: fn(&T) -> Result<Vec<u8>, Error>,
        dec: fn(&[u8]) -> Result<T, Error>,
        v: &T,
    ) -> usize {
        let bytes = enc(v).unwrap_or_else(|e| panic!("{what}: {e}"));
        dec(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        println!("largest {what}: {} bytes", bytes.len());
        bytes.len()
    }

    #[test]
    fn maximal_records_fit_the_store() {
        let limit = super::super::codec::LIMIT;
        let c = customer();
        let catalog = Catalog::new(vec![plan()], vec![]);
        let summary = Summary::of(
            &c,
            OpenEvents {
                action_required: u32::MAX,
                warning: u32::MAX,
            },
            &catalog,
        );
        let mut other = c.clone();
        other.profile.notes = text(max::NOTES - 1);
        other.licenses.iter_mut().for_each(|l| l.units -= 1);
        let policy = c.policies[&PolicyList::ApprovedUrls].join("; ");
        let mut changes = crate::domain::changes::diff(&c, &other, &catalog);
        changes.push(FieldChange {
            field: text(64),
            old: policy.clone(),
            new: policy,
        });
        let view =
            crate::domain::view::CustomerView::of(&c, Default::default(), &catalog, Date::LAST);
        let audit = AuditEntry {
            id: u64::MAX,
            time: Timestamp(i64::MIN),
            actor: Actor::Api,
            task: text(64),
            customers: vec![u64::MAX; max::AUDIT_CUSTOMERS],
            outcome: text(1_000),
            changes,
            snapshot: Some(serde_json::to_string(&view).unwrap()),
        };
        let template = Template {
            name: text(max::NAME),
            product: Product::Wfbss,
            settings: (0..max::TEMPLATE_SETTINGS)
                .map(|i| {
                    (
                        format!("{i:03}{}", text(max::SETTING_KEY - 3)),
                        text(max::SETTING_VALUE),
                    )
                })
                .collect(),
        };
        // A firmware notification names every outdated device on one line each.
        let line = format!(
            "  - {} (serial {}, model {}): firmware {} -> {}\n",
            text(64),
            "S".repeat(64),
            text(64),
            "9".repeat(32),
            "9".repeat(32)
        );
        let outbox = OutboxMessage {
            id: u64::MAX,
            customer_id: u64::MAX,
            to: text(max::EMAIL),
            subject: text(200),
            body: format!(
                "{}{}{}",
                text(1_000),
                line.repeat(max::DEVICES),
                text(1_000)
            ),
            created_at: Timestamp(i64::MIN),
        };
        let event = Event {
            id: u64::MAX,
            customer_id: u64::MAX,
            kind: EventKind::Threat,
            severity: Severity::ActionRequired,
            category: text(max::EVENT_CATEGORY),
            message: text(max::EVENT_MESSAGE),
            time: Timestamp(i64::MIN),
            resolved_at: Some(Timestamp(i64::MIN)),
        };
        let sizes = [
            size("customer", encode_customer, decode_customer, &c),
            size("customer summary", encode_summary, decode_summary, &summary),
            size("audit entry", encode_audit, decode_audit, &audit),
            size("template", encode_template, decode_template, &template),
            size("outbox message", encode_outbox, decode_outbox, &outbox),
            size("event", encode_event, decode_event, &event),
        ];
        // A quarter of the limit: room for the unforeseen, and for a decoder that counts
        // numbers at their width in memory.
        for s in sizes {
            assert!(
                s < limit / 4,
                "{s} bytes is too close to the {limit}-byte limit"
            );
        }
    }
}

/// The read twins the export uses (`decode_customer_ref`, `decode_summary_open`, by hand and
/// through serde) read every record exactly as the owned decodes do, and refuse exactly the
/// values they refuse: random records, then the same bytes damaged at random.
#[cfg(test)]
mod read_twins {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z ,\"'=+@-]{0,12}",
            "\\PC{0,8}",
            Just("東京 مرحبا 🚀 ü\n\"q\"".to_string()),
        ]
    }

    fn date() -> impl Strategy<Value = Date> {
        (Date::FIRST.days()..=Date::LAST.days()).prop_map(|d| Date::from_days(d).unwrap())
    }

    fn number() -> impl Strategy<Value = u64> {
        prop_oneof![0..300u64, any::<u64>()]
    }

    fn customer() -> impl Strategy<Value = Customer> {
        let license = (number(), number(), any::<u32>(), 0..500u32, date(), date()).prop_map(
            |(id, plan_id, units, used, start, expiry)| License {
                id,
                plan_id,
                units,
                used,
                start,
                expiry,
            },
        );
        let device = (
            number(),
            text(),
            text(),
            text(),
            text(),
            proptest::option::of(text()),
        )
            .prop_map(
                |(id, name, serial, model, firmware, notified_version)| Device {
                    id,
                    name,
                    serial,
                    model,
                    firmware,
                    notified_version,
                },
            );
        let policies = vec(
            (proptest::sample::select(PolicyList::ALL), vec(text(), 0..3)),
            0..3,
        );
        (
            (number(), vec(text(), 14), any::<bool>(), 0..3usize),
            vec(license, 0..4),
            vec(device, 0..3),
            (proptest::option::of(text()), proptest::option::of(text())),
            policies,
            vec(any::<i64>(), 3),
        )
            .prop_map(
                |((id, t, lmp, status), licenses, devices, templates, policies, times)| Customer {
                    id,
                    profile: Profile {
                        company: t[0].clone(),
                        account_name: t[1].clone(),
                        account_type: if lmp {
                            AccountType::Lmp
                        } else {
                            AccountType::Clp
                        },
                        contact_first_name: t[2].clone(),
                        contact_last_name: t[3].clone(),
                        email: t[4].clone(),
                        phone: t[5].clone(),
                        address: t[6].clone(),
                        city: t[7].clone(),
                        state: t[8].clone(),
                        postal_code: t[9].clone(),
                        country: t[10].clone(),
                        time_zone: t[11].clone(),
                        language: t[12].clone(),
                        notes: t[13].clone(),
                    },
                    status: CustomerStatus::ALL[status % CustomerStatus::ALL.len()],
                    licenses,
                    devices,
                    wfbs_template: templates.0,
                    cloud_edge_template: templates.1,
                    policies: policies.into_iter().collect(),
                    created_at: Timestamp(times[0]),
                    updated_at: Timestamp(times[1]),
                    last_transaction: Timestamp(times[2]),
                },
            )
    }

    fn summary() -> impl Strategy<Value = Summary> {
        let facts = (date(), any::<u32>(), any::<u32>(), 0..400u32, any::<bool>()).prop_map(
            |(expiry, units, used, notice_days, managed)| LicenseFacts {
                expiry,
                units,
                used,
                notice_days,
                managed,
            },
        );
        (
            (number(), text(), text(), text(), any::<bool>()),
            (0..3usize, 0..(1u8 << Product::ALL.len())),
            vec(facts, 0..4),
            vec((text(), text()), 0..3),
            (any::<u32>(), any::<u32>(), any::<i64>()),
        )
            .prop_map(
                |((id, c, a, h, lmp), (status, products), licenses, devices, n)| Summary {
                    id,
                    company_key: c,
                    account_key: a,
                    haystack: h,
                    account_type: if lmp {
                        AccountType::Lmp
                    } else {
                        AccountType::Clp
                    },
                    status: CustomerStatus::ALL[status % CustomerStatus::ALL.len()],
                    products,
                    licenses,
                    devices,
                    open: OpenEvents {
                        action_required: n.0,
                        warning: n.1,
                    },
                    last_transaction: Timestamp(n.2),
                },
            )
    }

    /// Damage to a stored value: bytes overwritten, then perhaps cut short or lengthened.
    fn damage() -> impl Strategy<Value = (Vec<(usize, u8)>, Option<usize>, Vec<u8>)> {
        (
            vec((any::<usize>(), any::<u8>()), 0..4),
            proptest::option::of(any::<usize>()),
            vec(any::<u8>(), 0..2),
        )
    }

    fn damaged(
        good: &[u8],
        (writes, cut, extra): &(Vec<(usize, u8)>, Option<usize>, Vec<u8>),
    ) -> Vec<u8> {
        let mut bytes = good.to_vec();
        for &(at, b) in writes {
            let at = at % bytes.len();
            bytes[at] = b;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % (bytes.len() + 1));
        }
        bytes.extend_from_slice(extra);
        bytes
    }

    /// The customer as the owned decode reads it, in the twin's shape.
    fn owned_twin(bytes: &[u8]) -> Result<String, ()> {
        let c = decode_customer(bytes).map_err(|_| ())?;
        Ok(format!("{:?}", CustomerRef::of(&c)))
    }

    fn twins(bytes: &[u8]) -> [Result<String, ()>; 2] {
        let show = |c: Result<CustomerRef<'_>, Error>| c.map(|c| format!("{c:?}")).map_err(|_| ());
        [
            show(decode_customer_ref(bytes)),
            show(decode_customer_serde(bytes)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn customers_read_as_the_owned_decode_reads_them(c in customer(), d in damage()) {
            let good = encode_customer(&c).unwrap();
            let want = Ok(format!("{:?}", CustomerRef::of(&c)));
            prop_assert_eq!(&owned_twin(&good), &want);
            for got in twins(&good) {
                prop_assert_eq!(&got, &want);
            }
            let bad = damaged(&good, &d);
            let want = owned_twin(&bad);
            for got in twins(&bad) {
                prop_assert_eq!(&got, &want);
            }
        }

        #[test]
        fn summaries_give_the_open_counts_the_owned_decode_gives(s in summary(), d in damage()) {
            let good = encode_summary(&s).unwrap();
            let owned = |b: &[u8]| decode_summary(b).map(|s| s.open).map_err(|_| ());
            prop_assert_eq!(owned(&good), Ok(s.open));
            prop_assert_eq!(decode_summary_open(&good).map_err(|_| ()), Ok(s.open));
            prop_assert_eq!(decode_summary_open_serde(&good).map_err(|_| ()), Ok(s.open));
            let bad = damaged(&good, &d);
            prop_assert_eq!(decode_summary_open(&bad).map_err(|_| ()), owned(&bad));
            prop_assert_eq!(decode_summary_open_serde(&bad).map_err(|_| ()), owned(&bad));
        }
    }

    #[test]
    fn committed_samples_read_through_the_twins() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/records");
        let customer = std::fs::read(dir.join("customer-v1.bin")).unwrap();
        let owned = decode_customer(&customer).unwrap();
        let want = format!("{:?}", CustomerRef::of(&owned));
        for got in twins(&customer) {
            assert_eq!(got, Ok(want.clone()));
        }
        let summary = std::fs::read(dir.join("summary-v1.bin")).unwrap();
        assert_eq!(
            decode_summary_open(&summary).unwrap(),
            decode_summary(&summary).unwrap().open
        );
    }
}
