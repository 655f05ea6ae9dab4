//! The one table of campaigns, for the list and the org overview: the name (a link to the
//! campaign) and the columns the page asks for.

use crate::components::campaign_badges::{Managers, StateBadge};
use crate::components::dates::{due_text, Due, When};
use crate::components::progress_bar::ProgressBar;
use crate::domain::campaign::ListedCampaign;
use crate::domain::{paths, OrgLogin};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// A column after the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    State,
    Managers,
    Due,
    Created,
    Updated,
    Progress,
}

impl Column {
    fn heading(self) -> &'static str {
        match self {
            Column::State => "State",
            Column::Managers => "Managers",
            Column::Due => "Due",
            Column::Created => "Created",
            Column::Updated => "Updated",
            Column::Progress => "Progress",
        }
    }
}

pub fn campaigns_table(
    org: &OrgLogin,
    caption: String,
    columns: &'static [Column],
    rows: Vec<ListedCampaign>,
    now: DateTime<Utc>,
) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|row| {
            let c = &row.campaign;
            let href = paths::campaign(org, c.number);
            let cells = columns
                .iter()
                .map(|&col| view! { <td>{cell(col, &row, now)}</td> })
                .collect_view();
            view! {
                <tr>
                    <td><a href=href class="campaign-link">{c.name.clone()}</a></td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="campaigns">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        {columns.iter().map(|c| view! { <th scope="col">{c.heading()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn cell(column: Column, row: &ListedCampaign, now: DateTime<Utc>) -> AnyView {
    let c = &row.campaign;
    match column {
        Column::State => view! { <StateBadge open=c.open/> }.into_any(),
        Column::Managers => view! { <Managers c=c.clone()/> }.into_any(),
        Column::Due => {
            let due = Due::of(c.open, c.ends_at, now);
            view! {
                <When at=c.ends_at relative_text=due_text(c.open, c.ends_at, now)/>
                " " <span class=due.class()>{due.label()}</span>
            }
            .into_any()
        }
        Column::Created => view! { <When at=c.created_at/> }.into_any(),
        Column::Updated => view! { <When at=c.updated_at/> }.into_any(),
        Column::Progress => {
            let as_of = row.counted_at.map(|at| {
                view! { <span class="muted as-of">"as counted " <When at/></span> }
            });
            match c.progress {
                Some(p) => view! { <ProgressBar progress=p/> {as_of} }.into_any(),
                None => view! { <span class="muted">"Not counted yet"</span> }.into_any(),
            }
        }
    }
}
