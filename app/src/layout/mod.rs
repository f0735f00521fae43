//! Page chrome shared by every route: header navigation, footer and the error boundary.

mod error_boundary;
mod footer;
mod header;

pub use error_boundary::PageErrorBoundary;
pub use footer::Footer;
pub use header::Header;
