//! What only a browser can do, in one place: each helper does its work in the hydrated app and
//! nothing on the server (event handlers and effects never run there), so views call them
//! without `cfg` of their own.

#[cfg(feature = "hydrate")]
use leptos::prelude::{document, window};
#[cfg(feature = "hydrate")]
use wasm_bindgen::JsCast;

/// Puts `query` in the address bar, replacing the entry (so Back leaves the page) and keeping
/// the link shareable.
pub fn show_in_url(query: &[(&'static str, String)]) {
    #[cfg(feature = "hydrate")]
    {
        let window = window();
        let Ok(path) = window.location().pathname() else {
            return;
        };
        let search: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::domain::paths::query_value(v)))
            .collect();
        let url = if search.is_empty() {
            path
        } else {
            format!("{path}?{}", search.join("&"))
        };
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = query;
}

/// Moves the keyboard focus to the element `id`.
pub fn focus_by_id(id: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = document().get_element_by_id(id) {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Scrolls the element `id` into view.
pub fn scroll_to(id: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = document().get_element_by_id(id) {
        el.scroll_into_view();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Sets the form field `id` (an input or a textarea) to `value` when it is empty.
pub fn fill_if_empty(id: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    {
        let Some(el) = document().get_element_by_id(id) else {
            return;
        };
        let set = |current: String, set: &dyn Fn(&str)| {
            if current.trim().is_empty() && !value.is_empty() {
                set(value);
            }
        };
        if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
            set(input.value(), &|v| input.set_value(v));
        } else if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
            set(area.value(), &|v| area.set_value(v));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, value);
}

/// Copies `text` to the clipboard; false where the browser offers none.
pub fn copy_to_clipboard(text: &str) -> bool {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
        return true;
    }
    let _ = text;
    false
}

/// The form `id`'s fields read as server function `T`'s arguments (what the form would post).
pub fn form_input<T: leptos::form::FromFormData>(id: &str) -> Option<T> {
    #[cfg(feature = "hydrate")]
    {
        let form = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok())?;
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        T::from_form_data(&data).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        None
    }
}

/// Resolves after `secs` seconds (the browser's timer); at once on the server.
pub async fn sleep_secs(secs: u64) {
    sleep_ms(u32::try_from(secs * 1_000).unwrap_or(u32::MAX)).await
}

/// Resolves after `ms` milliseconds (the browser's timer); at once on the server.
pub async fn sleep_ms(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}
