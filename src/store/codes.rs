//! The byte each stored enum variant is written as. These are part of the file format and
//! never change: a new variant gets a new byte, a removed one keeps its byte unused. The
//! domain may reorder or extend its enums freely; the matches below are exhaustive, so a new
//! variant does not compile until it has a byte here.

use crate::domain::error::Error;
use crate::domain::model::*;

pub trait Frozen: Sized + Copy + 'static {
    /// What the value is, for error messages.
    const WHAT: &'static str;
    fn byte(self) -> u8;
    fn from_byte(byte: u8) -> Option<Self>;
}

macro_rules! frozen {
    ($ty:ident, $what:literal { $($variant:ident = $byte:literal),+ $(,)? }) => {
        impl Frozen for $ty {
            const WHAT: &'static str = $what;

            fn byte(self) -> u8 {
                match self {
                    $($ty::$variant => $byte),+
                }
            }

            fn from_byte(byte: u8) -> Option<Self> {
                match byte {
                    $($byte => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

frozen!(AccountType, "account type" { Clp = 0, Lmp = 1 });
frozen!(CustomerStatus, "customer status" { Active = 0, Suspended = 1 });
frozen!(PlanKind, "plan kind" { Trial = 0, Full = 1 });
frozen!(EventKind, "event kind" { Threat = 0, System = 1 });
frozen!(Severity, "severity" { Warning = 0, ActionRequired = 1 });
frozen!(View, "view setting" { All = 0, Managed = 1 });
frozen!(Actor, "actor" { Cli = 0, Web = 1, Api = 2 });
frozen!(Outcome, "task outcome" { Ok = 0, Skipped = 1, Failed = 2 });
frozen!(PolicyList, "policy list" {
    ApprovedUrls = 0,
    BlockedUrls = 1,
    BehaviorApproved = 2,
    BehaviorBlocked = 3,
    MlExceptions = 4,
    AvExclusionsWindows = 5,
    AvExclusionsMac = 6,
});
frozen!(Product, "product" {
    Wfbss = 0,
    Wfbs = 1,
    CloudEdge = 2,
    Hes = 3,
    Cas = 4,
    ApexOne = 5,
});

/// The variant a stored byte names, or a clear error for a byte this clientele does not know.
pub fn stored<T: Frozen>(code: u8) -> Result<T, Error> {
    T::from_byte(code).ok_or_else(|| {
        Error::Database(format!(
            "a stored {} holds unknown code {code}; upgrade clientele or restore a backup",
            T::WHAT
        ))
    })
}

/// A set of products as stored: bit `code` for each product.
pub fn products_to_stored(domain: u8) -> u8 {
    Product::ALL
        .iter()
        .filter(|p| domain & p.bit() != 0)
        .fold(0, |bits, p| bits | 1 << p.byte())
}

/// The domain's product set from the stored bits; unknown bits are refused.
pub fn products_from_stored(bits: u8) -> Result<u8, Error> {
    let mut domain = 0;
    for code in 0..8 {
        if bits & 1 << code != 0 {
            domain |= stored::<Product>(code)?.bit();
        }
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Frozen + PartialEq + std::fmt::Debug>(all: &[T]) {
        let mut seen = std::collections::HashSet::new();
        for v in all {
            assert!(seen.insert(v.byte()), "{v:?} shares its byte");
            assert_eq!(T::from_byte(v.byte()), Some(*v));
        }
        let unused = (0..=u8::MAX).find(|b| !seen.contains(b)).unwrap();
        assert!(stored::<T>(unused).is_err());
    }

    #[test]
    fn every_variant_has_its_own_byte() {
        round_trip(AccountType::ALL);
        round_trip(CustomerStatus::ALL);
        round_trip(PlanKind::ALL);
        round_trip(EventKind::ALL);
        round_trip(Severity::ALL);
        round_trip(View::ALL);
        round_trip(Actor::ALL);
        round_trip(Outcome::ALL);
        round_trip(PolicyList::ALL);
        round_trip(Product::ALL);
    }

    /// The bytes are written down here a second time, on purpose: this is the file format.
    #[test]
    fn bytes_are_the_released_ones() {
        assert_eq!((AccountType::Clp.byte(), AccountType::Lmp.byte()), (0, 1));
        assert_eq!(CustomerStatus::Suspended.byte(), 1);
        assert_eq!(PlanKind::Full.byte(), 1);
        assert_eq!(EventKind::System.byte(), 1);
        assert_eq!(Severity::ActionRequired.byte(), 1);
        assert_eq!(View::Managed.byte(), 1);
        assert_eq!(Actor::Api.byte(), 2);
        assert_eq!(Outcome::Failed.byte(), 2);
        assert_eq!(PolicyList::AvExclusionsMac.byte(), 6);
        assert_eq!(Product::ApexOne.byte(), 5);
        assert_eq!(
            products_to_stored(Product::Hes.bit() | Product::Wfbss.bit()),
            0b1001
        );
        assert_eq!(
            products_from_stored(0b1001).unwrap(),
            Product::Hes.bit() | Product::Wfbss.bit()
        );
        assert!(products_from_stored(0b100_0000).is_err());
    }
}
