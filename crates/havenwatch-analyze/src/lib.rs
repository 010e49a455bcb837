//! From claims to findings.
//!
//! Claims about the same proposition fold into a [`Finding`]; its claims collapse to their
//! independent origins ([`independence`]: syndicated copies, citation chains, an outlet repeating
//! itself), and the finding is graded with the NATO Admiralty code ([`grading`]) from the
//! analyst's source reliabilities ([`config`]). [`strength`] gathers fighter counts over time.
//!
//! Architecture invariant: no I/O. Claims come in from the store's query, configuration as
//! `&str`; findings go out.

pub mod brief;
pub mod config;
pub mod findings;
pub mod fold;
pub mod grading;
pub mod independence;
pub mod kept;
pub mod network;
pub mod register;
pub mod scorecard;
pub mod strength;
pub mod threat;

pub use config::{Config, ConfigError};
pub use findings::{build_findings, Finding};
pub use grading::{Credibility, Grade, Reliability};
