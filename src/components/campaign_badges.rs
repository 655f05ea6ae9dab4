//! Small pieces every campaign page shows: the state badge and the managers.

use crate::domain::campaign::CampaignView;
use leptos::prelude::*;

#[component]
pub fn StateBadge(open: bool) -> impl IntoView {
    view! {
        <span class=if open { "badge open" } else { "badge closed" }>{if open { "Open" } else { "Closed" }}</span>
    }
}

#[component]
pub fn Managers(c: CampaignView) -> impl IntoView {
    view! {
        <ul class="managers">
            {c.managers.into_iter().map(|m| view! {
                <li class="person">
                    <img class="avatar" src=m.avatar_url alt="" width="20" height="20"/>
                    {m.login}
                </li>
            }).collect_view()}
            {c.team_managers.into_iter().map(|t| view! {
                <li class="team" title=format!("Team {}", t.slug)>"@" {t.name}</li>
            }).collect_view()}
        </ul>
    }
}
