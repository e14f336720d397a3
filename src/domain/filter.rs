//! The one filter grammar of SPEC §3, shared by URL queries, HTML forms and CLI flags.

use super::date::Month;
use super::error::{Error, FieldError};
use super::model::{AccountType, Category, Code, CustomerStatus, LicenseFilter, Product, YesNo};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 1000;

/// Every key of the grammar, in the order the interfaces show them.
pub const FILTER_KEYS: &[&str] = &[
    "q",
    "account_type",
    "status",
    "product",
    "license",
    "attention",
    "managed",
    "expires",
    "category",
    "sort",
    "limit",
    "offset",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SortKey {
    #[default]
    Company,
    AccountName,
    NextExpiry,
    LastTransaction,
    Attention,
}

impl SortKey {
    pub const ALL: &'static [SortKey] = &[
        SortKey::Company,
        SortKey::AccountName,
        SortKey::NextExpiry,
        SortKey::LastTransaction,
        SortKey::Attention,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SortKey::Company => "company",
            SortKey::AccountName => "account_name",
            SortKey::NextExpiry => "next_expiry",
            SortKey::LastTransaction => "last_transaction",
            SortKey::Attention => "attention",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        let s = s.trim();
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        SortKey::ALL
            .iter()
            .find(|k| k.code() == name)
            .map(|&key| Sort { key, descending })
    }

    pub fn code(self) -> String {
        format!(
            "{}{}",
            if self.descending { "-" } else { "" },
            self.key.code()
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Filter {
    pub q: Option<String>,
    pub account_type: Option<AccountType>,
    pub status: Option<CustomerStatus>,
    pub products: Vec<Product>,
    pub license: Option<LicenseFilter>,
    pub attention: Option<bool>,
    pub managed: Option<bool>,
    /// Customers with a licence that has not expired yet and expires in this month.
    pub expires: Option<Month>,
    /// Customers with at least one reason of this category.
    pub category: Option<Category>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            q: None,
            account_type: None,
            status: None,
            products: Vec::new(),
            license: None,
            attention: None,
            managed: None,
            expires: None,
            category: None,
            sort: Sort::default(),
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

fn choice<T>(key: &str, value: &str, parsed: Option<T>, choices: String) -> Result<T, FieldError> {
    parsed.ok_or_else(|| FieldError::new(key, format!("`{value}` is not valid; use {choices}")))
}

fn coded<T: Code>(key: &str, value: &str) -> Result<T, FieldError> {
    choice(key, value, T::parse(value), T::choices())
}

impl Filter {
    /// Parses `key=value` pairs. Empty values are ignored (an HTML form sends every field);
    /// unknown keys and bad values are errors naming the key.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Filter, Error> {
        let mut f = Filter::default();
        let mut errors = Vec::new();
        for (key, value) in pairs {
            if value.trim().is_empty() {
                continue;
            }
            if let Err(e) = f.set(key, value) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(Error::Invalid(errors))
        }
    }

    /// Sets one key; `product` adds to the list.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), FieldError> {
        let v = value.trim();
        let yes_no = |v: &str| coded::<YesNo>(key, v).map(YesNo::as_bool);
        match key {
            "q" => self.q = Some(v.to_string()),
            "account_type" => {
                self.account_type =
                    Some(choice(key, v, AccountType::parse(v), "clp or lmp".into())?)
            }
            "status" => self.status = Some(coded(key, v)?),
            "product" => {
                for code in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    let p = coded::<Product>(key, code)?;
                    if !self.products.contains(&p) {
                        self.products.push(p);
                    }
                }
            }
            "license" => self.license = Some(coded(key, v)?),
            "attention" => self.attention = Some(yes_no(v)?),
            "managed" => self.managed = Some(yes_no(v)?),
            "expires" => {
                self.expires = Some(choice(
                    key,
                    v,
                    Month::parse(v),
                    "a month as YYYY-MM, e.g. 2027-03".into(),
                )?)
            }
            "category" => self.category = Some(coded(key, v)?),
            "sort" => {
                let names: Vec<&str> = SortKey::ALL.iter().map(|k| k.code()).collect();
                self.sort = choice(
                    key,
                    v,
                    Sort::parse(v),
                    format!("{} (prefix `-` for descending)", names.join(", ")),
                )?
            }
            "limit" => {
                self.limit = match v.parse::<usize>() {
                    Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                    _ => {
                        return Err(FieldError::new(
                            key,
                            format!("`{v}` is not valid; use a whole number from 1 to {MAX_LIMIT}"),
                        ))
                    }
                }
            }
            "offset" => {
                self.offset = v.parse().map_err(|_| {
                    FieldError::new(
                        key,
                        format!("`{v}` is not valid; use a whole number from 0"),
                    )
                })?
            }
            other => {
                return Err(FieldError::new(
                    other,
                    format!("unknown filter; use {}", FILTER_KEYS.join(", ")),
                ))
            }
        }
        Ok(())
    }

    /// The filter as `key=value` pairs, defaults left out: the inverse of `from_pairs`.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let yn = |b: bool| YesNo::from_bool(b).code().to_string();
        if let Some(q) = &self.q {
            out.push(("q", q.clone()));
        }
        if let Some(t) = self.account_type {
            out.push(("account_type", t.code().to_ascii_lowercase()));
        }
        if let Some(s) = self.status {
            out.push(("status", s.code().to_string()));
        }
        for p in &self.products {
            out.push(("product", p.code().to_string()));
        }
        if let Some(l) = self.license {
            out.push(("license", l.code().to_string()));
        }
        if let Some(a) = self.attention {
            out.push(("attention", yn(a)));
        }
        if let Some(m) = self.managed {
            out.push(("managed", yn(m)));
        }
        if let Some(m) = self.expires {
            out.push(("expires", m.to_string()));
        }
        if let Some(c) = self.category {
            out.push(("category", c.code().to_string()));
        }
        if self.sort != Sort::default() {
            out.push(("sort", self.sort.code()));
        }
        if self.limit != DEFAULT_LIMIT {
            out.push(("limit", self.limit.to_string()));
        }
        if self.offset != 0 {
            out.push(("offset", self.offset.to_string()));
        }
        out
    }

    /// The same filter without paging: what a bulk task or "Export All" selects.
    pub fn unpaged(&self) -> Filter {
        Filter {
            limit: usize::MAX,
            offset: 0,
            ..self.clone()
        }
    }

    pub fn is_unfiltered(&self) -> bool {
        self.q.as_deref().is_none_or(str::is_empty)
            && self.account_type.is_none()
            && self.status.is_none()
            && self.products.is_empty()
            && self.license.is_none()
            && self.attention.is_none()
            && self.managed.is_none()
            && self.expires.is_none()
            && self.category.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_round_trip() {
        let f = Filter::from_pairs([
            ("q", "Müller, \"x\""),
            ("account_type", "LMP"),
            ("product", "wfbss,cloud-edge"),
            ("product", "hes"),
            ("license", "expired"),
            ("attention", "yes"),
            ("expires", "2027-03"),
            ("category", "license_warning"),
            ("sort", "-next_expiry"),
            ("limit", "20"),
            ("offset", "40"),
            ("status", ""),
        ])
        .unwrap();
        assert_eq!(f.products.len(), 3);
        let pairs = f.to_pairs();
        let again = Filter::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
        assert_eq!(f, again);
    }

    #[test]
    fn bad_values_name_the_key() {
        let Err(Error::Invalid(errs)) = Filter::from_pairs([
            ("limit", "0"),
            ("sort", "size"),
            ("expires", "2027-3"),
            ("colour", "red"),
        ]) else {
            panic!("expected errors")
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["limit", "sort", "expires", "colour"]);
    }
}
