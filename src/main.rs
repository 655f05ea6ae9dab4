//! The server binary: settings → telemetry → `startup::Application::build` → serve until a signal.

use campaigns_admin::{settings::Settings, startup::Application, telemetry};

#[tokio::main]
async fn main() {
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("campaigns-admin: configuration error: {err}");
            std::process::exit(2);
        }
    };
    telemetry::init(&settings.log_filter);
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(err) => {
            eprintln!("campaigns-admin: could not start: {err}");
            std::process::exit(1);
        }
    };
    app.print_banner();
    if let Err(err) = app.run_until_stopped().await {
        eprintln!("campaigns-admin: server error: {err}");
        std::process::exit(1);
    }
}
