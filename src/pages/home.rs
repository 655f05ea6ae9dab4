//! `/`: every organisation the signed-in user belongs to, each linking to its campaigns, with
//! what its open campaigns add up to where the user manages them, and the totals.

use crate::api::rollup::load_rollup;
use crate::components::error_view::or_error;
use crate::components::streaming::pending;
use crate::domain::rollup::{OrgStanding, Rollup, RollupCounts};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let orgs = Resource::new(|| (), |_| load_rollup());
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
        <section aria-labelledby="orgs-title">
            <h2 id="orgs-title">"Your organisations"</h2>
            {pending(orgs, "Loading your organisations…")}
            <Suspense fallback=|| ()>
                {move || orgs.get().map(|r| or_error(r, |rollup| view! { <OrgRollupView rollup/> }))}
            </Suspense>
        </section>
    }
}

#[component]
fn OrgRollupView(rollup: Rollup) -> impl IntoView {
    if rollup.orgs.is_empty() {
        return view! {
            <div class="empty-state">
                <p><strong>"No organisations to show."</strong></p>
                <p>"GitHub lists an organisation here only when this app was granted the "<code>"read:org"</code>
                   " scope, and the organisation allows this OAuth app (organisations can restrict third-party access). "
                   "Sign out and sign in again to grant the scope, or ask an organisation owner to approve the app."</p>
            </div>
        }
        .into_any();
    }
    let totals = rollup.totals();
    let managed = rollup.managed().count();
    let closed = |c: &RollupCounts| c.closed_this_week.map_or("–".to_owned(), |n| n.to_string());
    let rows = rollup
        .orgs
        .into_iter()
        .map(|o| {
            let href = format!("/orgs/{}", o.login);
            let org = view! {
                <th scope="row">
                    <img src=o.avatar_url.clone() alt="" width="20" height="20" class="avatar"/>
                    " " <a href=href class="org-link">{o.login.clone()}</a>
                </th>
            };
            let cells = match o.standing {
                OrgStanding::Managed(c) => view! {
                    <td class="num">{c.open_campaigns.to_string()}</td>
                    <td class="num">{c.overdue.to_string()}</td>
                    <td class="num">{c.behind.to_string()}</td>
                    <td class="num">{c.remaining.to_string()}</td>
                    <td class="num">{closed(&c)}</td>
                }
                .into_any(),
                OrgStanding::NoRole => view! {
                    <td colspan="5" class="muted no-role">
                        "No campaign role: only owners and security managers see this org's campaigns."
                    </td>
                }
                .into_any(),
                OrgStanding::Unavailable(why) => view! {
                    <td colspan="5" class="notice error">"GitHub did not answer for this org: " {why}</td>
                }
                .into_any(),
            };
            view! { <tr>{org}{cells}</tr> }
        })
        .collect_view();
    let caption = format!(
        "Open campaigns of the {managed} organisation{} you manage campaigns in, as GitHub lists them now",
        if managed == 1 { "" } else { "s" }
    );
    view! {
        <table class="audit rollup" id="rollup">
            <caption class="muted">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Organisation"</th>
                    <th scope="col" class="num">"Open campaigns"</th>
                    <th scope="col" class="num">"Overdue"</th>
                    <th scope="col" class="num">"Behind"</th>
                    <th scope="col" class="num">"Alerts not closed"</th>
                    <th scope="col" class="num">"Closed this week"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr class="totals">
                    <th scope="row">"All organisations"</th>
                    <td class="num">{totals.open_campaigns.to_string()}</td>
                    <td class="num">{totals.overdue.to_string()}</td>
                    <td class="num">{totals.behind.to_string()}</td>
                    <td class="num">{totals.remaining.to_string()}</td>
                    <td class="num">{closed(&totals)}</td>
                </tr>
            </tfoot>
        </table>
        <p class="downloads">
            <a href="/rollup.csv" download>"Download CSV"</a> " "
            <a href="/rollup.json" download>"Download JSON"</a>
        </p>
    }
    .into_any()
}
