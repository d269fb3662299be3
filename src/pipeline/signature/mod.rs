//! The attractor-signature pipeline: from population activity to the shape (documented in the parent module)

mod activity;
mod result;
mod stages;
mod statistic;

pub use activity::Activity;
pub use result::SignatureResult;
#[allow(deprecated)]
pub use stages::Signature;
pub use stages::{SignatureParams, Subsample, Topology};
pub use statistic::Statistic;
