//! `/orgs/{org}/digests`: where the org's weekly digest, due-date reminders and "now behind"
//! messages go (Slack, Teams, email), a preview of the next digest, "Send a test", and the log of
//! every delivery and scheduled run. Owners and security managers only.

use crate::api::digests::{
    load_digests, preview_digest, RemoveChannel, SendTestDigest, SubscribeChannel,
};
use crate::components::campaign_fields::field_error;
use crate::components::error_view::{or_error, ErrorView};
use crate::components::params::{org_param, org_text};
use crate::components::streaming::pending;
use crate::domain::digest::{ChannelKind, ChannelView, DigestsPage, Message, WEEKDAYS};
use crate::domain::paths;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn OrgDigestsPage() -> impl IntoView {
    let org = org_param();
    let subscribe = ServerAction::<SubscribeChannel>::new();
    let remove = ServerAction::<RemoveChannel>::new();
    let test = ServerAction::<SendTestDigest>::new();
    // `?preview={channel}`: the next digest to that channel, as a link that works without
    // JavaScript and can be shared with a colleague who manages the org too.
    let query = use_query_map();
    let previewed = move || query.with(|q| q.get("preview").and_then(|v| v.parse::<i64>().ok()));
    let preview = Resource::new(
        move || (org.get(), previewed()),
        |(org, id)| async move {
            match (org, id) {
                (Ok(org), Some(id)) => Some(preview_digest(org, id).await),
                _ => None,
            }
        },
    );
    let page = Resource::new(
        move || {
            (
                org.get(),
                subscribe.version().get(),
                remove.version().get(),
                test.version().get(),
            )
        },
        |(org, ..)| async move { load_digests(org?).await },
    );
    let org_text = org_text(org);
    view! {
        <Title text=move || format!("Digests · {}", org_text())/>
        <div class="page-head">
            <h1>"Digests and reminders " <span class="muted">"of " {org_text}</span></h1>
            {move || org.get().ok().map(|o| view! {
                <a class="button" href=paths::org_settings(&o)>"Settings"</a>
            })}
        </div>
        {pending(page, "Loading the org's channels…")}
        <Suspense fallback=|| ()>
            {move || page.get().map(|r| or_error(r, |p| view! {
                <Digests page=p subscribe remove test/>
            }))}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || preview.get().flatten().map(|r| view! { <Preview r/> })}
        </Suspense>
    }
}

#[component]
fn Digests(
    page: DigestsPage,
    subscribe: ServerAction<SubscribeChannel>,
    remove: ServerAction<RemoveChannel>,
    test: ServerAction<SendTestDigest>,
) -> impl IntoView {
    let org = page.org.clone();
    let stopped = page.stopped.clone().map(|why| {
        view! { <p class="notice warning" id="digests-stopped" role="status">{why}</p> }
    });
    let hints: Vec<(i64, String)> = page
        .channels
        .iter()
        .map(|c| (c.id, c.hint.clone()))
        .collect();
    let hint_of = move |id: i64| {
        hints
            .iter()
            .find(|(i, _)| *i == id)
            .map_or_else(|| format!("channel {id}"), |(_, h)| h.clone())
    };
    let test_error = Signal::derive(move || test.value().get().and_then(Result::err));
    let action_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    view! {
        {stopped}
        <section class="card" aria-labelledby="channels-title">
            <h2 id="channels-title">"Channels"</h2>
            {if page.channels.is_empty() {
                view! { <p class="muted" id="no-channels">"No channel yet: add one below."</p> }.into_any()
            } else {
                view! {
                    <table id="channels">
                        <thead><tr><th scope="col">"Channel"</th><th scope="col">"Sends"</th><th scope="col">"Added"</th><th scope="col">"Actions"</th></tr></thead>
                        <tbody>
                            {page.channels.iter().cloned().map(|c| view! {
                                <ChannelRow org=org.clone() c remove test/>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {move || test.value().get().and_then(Result::ok).map(|_| view! {
                <p class="ok" id="test-queued" role="status">"Test queued: its outcome appears in the delivery log below."</p>
            })}
            {move || test_error.get().map(|error| view! { <ErrorView error/> })}
            {move || action_error.get().map(|error| view! { <ErrorView error/> })}
        </section>
        <AddChannel org=org.clone() email=page.email subscribe/>
        <section class="card" aria-labelledby="deliveries-title">
            <h2 id="deliveries-title">"Delivery log"</h2>
            {if page.deliveries.is_empty() {
                view! { <p class="muted">"Nothing sent yet."</p> }.into_any()
            } else {
                view! {
                    <table id="deliveries">
                        <thead><tr><th scope="col">"When"</th><th scope="col">"Channel"</th><th scope="col">"Message"</th><th scope="col">"Outcome"</th><th scope="col">"Tries"</th><th scope="col">"Error"</th></tr></thead>
                        <tbody>
                            {page.deliveries.into_iter().map(|d| {
                                let class = format!("delivery {}", d.outcome);
                                view! {
                                <tr class=class>
                                    <td>{d.at.format("%Y-%m-%d %H:%M UTC").to_string()}</td>
                                    <td>{hint_of(d.channel_id)}</td>
                                    <td>{d.message} " " <span class="muted">{d.period}</span></td>
                                    <td>{d.outcome}</td>
                                    <td>{d.attempts}</td>
                                    <td>{d.error}</td>
                                </tr>
                            }}).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="runs-title">
            <h2 id="runs-title">"Scheduled runs"</h2>
            {if page.runs.is_empty() {
                view! { <p class="muted">"No scheduled run for this org yet."</p> }.into_any()
            } else {
                view! {
                    <table id="runs">
                        <thead><tr><th scope="col">"Queued"</th><th scope="col">"Job"</th><th scope="col">"Period"</th><th scope="col">"Outcome"</th><th scope="col">"Tries"</th><th scope="col">"Detail"</th></tr></thead>
                        <tbody>
                            {page.runs.into_iter().map(|r| view! {
                                <tr>
                                    <td>{r.enqueued_at.format("%Y-%m-%d %H:%M UTC").to_string()}</td>
                                    <td>{r.kind}</td>
                                    <td>{r.period}</td>
                                    <td>{r.outcome}</td>
                                    <td>{r.attempts}</td>
                                    <td>{r.detail}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ChannelRow(
    org: String,
    c: ChannelView,
    remove: ServerAction<RemoveChannel>,
    test: ServerAction<SendTestDigest>,
) -> impl IntoView {
    let id = c.id.to_string();
    let preview_link = format!("?preview={id}#digest-preview");
    let hidden = move || {
        view! {
            <input type="hidden" name="org" value=org.clone()/>
            <input type="hidden" name="id" value=id.clone()/>
        }
    };
    let (h2, h3) = (hidden(), hidden());
    view! {
        <tr class="channel">
            <td>{c.kind.label()} <br/> <code>{c.hint.clone()}</code></td>
            <td>{c.schedule.describe()}</td>
            <td>{c.created_by.clone()} " · " {c.created_at.format("%Y-%m-%d").to_string()}</td>
            <td class="actions">
                <a class="button" href=preview_link>"Preview"</a>
                <ActionForm action=test attr:class="inline">
                    {h2}
                    <button type="submit" disabled=move || test.pending().get()>"Send a test"</button>
                </ActionForm>
                <ActionForm action=remove attr:class="inline">
                    {h3}
                    <button type="submit" class="danger">"Remove"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

/// The next digest as the channel will get it.
#[component]
fn Preview(r: Result<Message, AppError>) -> impl IntoView {
    match r {
        Ok(m) => view! {
            <section class="card preview" id="digest-preview" aria-labelledby="preview-title">
                <h2 id="preview-title">"Next digest: " {m.subject}</h2>
                <pre>{m.text}</pre>
            </section>
        }
        .into_any(),
        Err(error) => view! { <ErrorView error/> }.into_any(),
    }
}

#[component]
fn AddChannel(
    org: String,
    email: bool,
    subscribe: ServerAction<SubscribeChannel>,
) -> impl IntoView {
    let error: Signal<Option<AppError>> =
        Signal::derive(move || subscribe.value().get().and_then(Result::err));
    let added = move || subscribe.value().get().and_then(Result::ok);
    // Effects run in the browser only: the attribute says the form is hydrated (its errors show
    // next to their fields from then on).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let kinds = ChannelKind::ALL
        .into_iter()
        .filter(|k| email || *k != ChannelKind::Email)
        .map(|k| view! { <option value=k.as_str()>{k.label()}</option> })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="add-title" data-hydrated=move || hydrated.get().to_string()>
            <h2 id="add-title">"Add a channel"</h2>
            <ActionForm action=subscribe attr:id="add-channel" attr:class="form">
                <input type="hidden" name="org" value=org/>
                <div class="field">
                    <label for="kind">"Channel"</label>
                    <select id="kind" name="kind" aria-describedby="kind-error">{kinds}</select>
                    {field_error(error, "kind")}
                </div>
                <div class="field">
                    <label for="target">"Webhook URL or email address"</label>
                    <input id="target" name="target" type="text" required autocomplete="off" spellcheck="false"
                        aria-describedby="target-help target-error"/>
                    <p class="muted" id="target-help">
                        "Slack: an incoming webhook on hooks.slack.com. Teams: a workflow's \u{201c}When a webhook request is received\u{201d} URL. "
                        "Kept encrypted and never shown again in full."
                    </p>
                    {field_error(error, "target")}
                </div>
                <fieldset class="field">
                    <legend>"Send"</legend>
                    <label><input type="checkbox" name="weekly" value="on" checked/> " the weekly digest"</label>
                    <label><input type="checkbox" name="reminders" value="on" checked/> " due-date reminders (7 days, 1 day, overdue)"</label>
                    <label><input type="checkbox" name="behind" value="on" checked/> " \u{201c}now behind\u{201d} when a campaign's projection slips past its due date"</label>
                    {field_error(error, "weekly")}
                </fieldset>
                <div class="field">
                    <label for="weekday">"Digest day"</label>
                    <select id="weekday" name="weekday" aria-describedby="weekday-error">
                        {WEEKDAYS.iter().enumerate().map(|(i, d)| view! { <option value=i.to_string()>{*d}</option> }).collect_view()}
                    </select>
                    {field_error(error, "weekday")}
                </div>
                <div class="field">
                    <label for="hour">"Hour"</label>
                    <select id="hour" name="hour" aria-describedby="hour-error">
                        {(0..24).map(|h| view! { <option value=h.to_string() selected=h == 9>{format!("{h:02}:00")}</option> }).collect_view()}
                    </select>
                    {field_error(error, "hour")}
                </div>
                <div class="field">
                    <label for="time_zone">"Time zone"</label>
                    <input id="time_zone" name="time_zone" type="text" value="UTC" required
                        aria-describedby="time_zone-help time_zone-error"/>
                    <p class="muted" id="time_zone-help">"A name such as Europe/Paris or America/New_York."</p>
                    {field_error(error, "time_zone")}
                </div>
                <button type="submit" disabled=move || subscribe.pending().get()>"Add channel"</button>
                {move || added().map(|_| view! { <p class="ok" role="status" id="channel-added">"Channel added."</p> })}
            </ActionForm>
        </section>
    }
}
