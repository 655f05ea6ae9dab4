//! The HTML shell, the root `App` component and the route table. Nothing else.

use crate::components::{layout::Layout, raw_text::page_title};
use crate::pages::{
    audit_log::AuditLogPage,
    campaign_alerts::CampaignAlertsPage,
    campaign_detail::CampaignDetailPage,
    campaign_edit::{CampaignDeletePage, CampaignEditPage},
    campaign_list::CampaignListPage,
    campaign_new::CampaignNewPage,
    campaign_triage::CampaignTriagePage,
    draft::SharedDraftPage,
    home::HomePage,
    not_found::NotFound,
    org_digests::OrgDigestsPage,
    org_overview::OrgOverviewPage,
    org_settings::OrgSettingsPage,
    plans::{PlanDetailPage, PlanNewPage, PlansListPage},
    sign_in_failed::SignInFailedPage,
    signed_out::SignedOutPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                // Under the bundle's hashed names in a release build (crate::assets).
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="color-scheme" content="light dark"/>
        // Every page's title goes through here: the server writes it into <title> unescaped.
        <Title formatter=page_title/>
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound/> }>
                    // In order: the frame leaves at once, the data follows in place, without
                    // JavaScript too; the first byte waits briefly for the data that decides the
                    // status, title and Open Graph tags (components::streaming).
                    <Route path=path!("/") view=HomePage ssr=SsrMode::InOrder/>
                    <Route path=path!("/signed-out") view=SignedOutPage/>
                    <Route path=path!("/orgs/:org") view=OrgOverviewPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/campaigns") view=CampaignListPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/audit") view=AuditLogPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/settings") view=OrgSettingsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/digests") view=OrgDigestsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/plans") view=PlansListPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/plans/new") view=PlanNewPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/plans/:id") view=PlanDetailPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/drafts/:id") view=SharedDraftPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/campaigns/new") view=CampaignNewPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/campaigns/:number") view=CampaignDetailPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/campaigns/:number/alerts") view=CampaignAlertsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/campaigns/:number/alerts/triage") view=CampaignTriagePage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/campaigns/:number/edit") view=CampaignEditPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/orgs/:org/campaigns/:number/delete") view=CampaignDeletePage ssr=SsrMode::InOrder/>
                    <Route path=path!("/sign-in-failed") view=SignInFailedPage/>
                </Routes>
            </Layout>
        </Router>
    }
}
