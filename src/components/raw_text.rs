//! Text for raw-text elements. `leptos_meta` writes the `<title>` text and `tachys` writes
//! `<textarea>` children into the server's HTML without escaping them, so a campaign named
//! `</title><script>…` would run in every browser that opens it. Text bound for those elements
//! goes through here: escaped in the server's HTML, as is in the browser (which sets it as text).

/// `&`, `<` and `>` as character references, in the server build; unchanged in the browser,
/// where the text is set through the DOM and escaping would show the references themselves.
pub fn raw_text(text: &str) -> String {
    if cfg!(feature = "ssr") {
        escape(text)
    } else {
        text.to_owned()
    }
}

/// The page title: the page's own part, then the app's name.
pub fn page_title(text: String) -> String {
    let full = if text.is_empty() {
        "campaigns-admin".to_owned()
    } else {
        format!("{text} · campaigns-admin")
    };
    raw_text(&full)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_becomes_character_references() {
        assert_eq!(
            escape("</title><script>a && b</script>"),
            "&lt;/title&gt;&lt;script&gt;a &amp;&amp; b&lt;/script&gt;"
        );
        assert_eq!(escape("plain «text» ü"), "plain «text» ü");
    }
}
