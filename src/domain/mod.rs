//! The domain: types, field rules, derivations, the filter grammar, read models, errors and
//! dates. It imports nothing else of clientele, so every other layer can rest on it.

pub mod audit;
pub mod changes;
pub mod check;
pub mod date;
pub mod derive;
pub mod error;
pub mod fields;
pub mod file_name;
pub mod filter;
pub mod inputs;
pub mod licence_entries;
pub mod limits;
pub mod model;
pub mod numbers;
pub mod progress;
pub mod runway;
pub mod summary;
pub mod template_settings;
pub mod threads;
pub mod time_zones;
pub mod validate;
pub mod view;
