//! The page for any URL that matches no route: a real 404.

use crate::components::error_view::ErrorView;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorView error=AppError::NotFound/> }
}
