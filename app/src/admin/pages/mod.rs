//! `/admin/users`: search, filter and page through users; change roles, (de)activate
//! and delete. Shown to admins only; the server functions check the role again.

mod users;

pub use users::AdminUsersPage;
