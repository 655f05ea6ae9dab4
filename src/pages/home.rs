//! `/`: what this tool is for, and where to start.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home"/>
        <section class="hero" aria-labelledby="home-title">
            <h1 id="home-title">"Security campaigns, without the waiting"</h1>
            <p class="lead">
                "Plan, launch and follow GitHub security campaigns for your organisation: "
                "pick the code-scanning alerts that matter by rule, CWE, repository and path, "
                "give them an owner and a due date, and share a link your colleagues can open."
            </p>
        </section>
        <section class="cards" aria-label="What you can do">
            <article class="card">
                <h2>"See every campaign"</h2>
                <p>"Open and closed campaigns with managers, due dates and progress, filtered and sorted by link."</p>
            </article>
            <article class="card">
                <h2>"Choose alerts precisely"</h2>
                <p>"Filter thousands of open alerts by repository, severity, tool, rule, CWE and path, then select in one click."</p>
            </article>
            <article class="card">
                <h2>"Keep the token on the server"</h2>
                <p>"Your browser never talks to GitHub and never sees a GitHub token."</p>
            </article>
        </section>
    }
}
