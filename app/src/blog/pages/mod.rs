//! The blog's pages. Reading pages are complete in the first HTML response and work
//! without JavaScript; every form does too, and gets better once hydrated.

mod author;
mod comments;
mod editor;
mod files;
mod lists;
mod post;

pub use author::AuthorPage;
pub use editor::{EditPostPage, NewPostPage, UnsavedChanges};
pub use lists::{BlogPage, BookmarksPage, DraftsPage, FollowingPage, SearchPage, TagPage};
pub use post::PostPage;
