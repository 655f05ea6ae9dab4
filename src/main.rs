//! The server binary: settings → telemetry → `startup::Application::build` → serve until a signal.

use campaigns_admin::{settings::Settings, startup::Application, telemetry};

/// mimalloc rather than the system allocator: a page is rendered through many short-lived
/// strings, and glibc's malloc spent a fifth of the server's time on them under load (make bench:
/// figures 1 and 2 improved).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // mimalloc asks the kernel for transparent huge pages, and every one it touches stays resident
    // whole (2 MiB). Without them make bench saw the same speed and less memory: 68 MB instead of
    // 93 MB with 1,000 sessions, 252 MB instead of 331 MB under the soak (figure 3).
    if let Err(err) = rustix::thread::disable_transparent_huge_pages(true) {
        eprintln!("campaigns-admin: transparent huge pages stay on: {err}");
    }
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
