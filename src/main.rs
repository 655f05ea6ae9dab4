//! The server binary: settings → telemetry → `startup::Application::build` → serve until a signal.

use campaigns_admin::{settings::Settings, startup::Application, telemetry};

/// mimalloc rather than the system allocator: a page is rendered through many short-lived
/// strings, and glibc's malloc spent a fifth of the server's time on them under load (make bench:
/// figures 1 and 2 improved). It holds more memory at rest than glibc did (figure 3).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Rendering deeply nested views needs more than the default 2 MiB of stack in debug builds.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 * 1024 * 1024)
        .build();
    match runtime {
        Ok(rt) => rt.block_on(serve()),
        Err(err) => {
            eprintln!("campaigns-admin: cannot start the async runtime: {err}");
            std::process::exit(1);
        }
    }
}

async fn serve() {
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
