//! PostgreSQL for tests: the throwaway server `scripts/with-postgres` started for the run (`make
//! test` runs the Rust tests through it), a fresh database for each test, and private servers a
//! test may stop and start again.

use std::path::PathBuf;

fn server_url() -> String {
    std::env::var("TEST_POSTGRES_URL").expect(
        "the PostgreSQL tests need the server scripts/with-postgres starts: \
         run `scripts/with-postgres cargo nextest run --features ssr` (make test does)",
    )
}

/// A new, empty database on the run's server; its URL.
pub async fn fresh_database() -> String {
    fresh_database_on(&server_url()).await
}

async fn fresh_database_on(server: &str) -> String {
    use sqlx::Connection;
    let name = format!("test_{:016x}", rand::random::<u64>());
    let mut admin = sqlx::PgConnection::connect(server)
        .await
        .expect("the test PostgreSQL server answers");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("a test database");
    admin.close().await.ok();
    let mut url = url::Url::parse(server).unwrap();
    url.set_path(&name);
    url.to_string()
}

/// A PostgreSQL server of a test's own (scripts/pg-server), in a temporary folder: stopped and
/// deleted when dropped, whatever the test's outcome.
pub struct PrivateServer {
    dir: tempfile::TempDir,
    port: u16,
}

fn pg_server(args: &[&str]) -> std::process::Command {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-server");
    let mut cmd = std::process::Command::new(script);
    cmd.args(args);
    cmd
}

async fn run(args: Vec<String>) {
    let status = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        pg_server(&args).status()
    })
    .await
    .unwrap()
    .expect("scripts/pg-server runs");
    assert!(status.success(), "scripts/pg-server failed");
}

impl PrivateServer {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = PrivateServer { dir, port };
        run(vec!["init".into(), server.path()]).await;
        server.start_again().await;
        server
    }

    fn path(&self) -> String {
        self.dir.path().display().to_string()
    }

    /// A fresh database on this server.
    pub async fn database(&self) -> String {
        let server = format!("postgres://campaigns@127.0.0.1:{}/postgres", self.port);
        fresh_database_on(&server).await
    }

    pub async fn stop(&self) {
        run(vec!["stop".into(), self.path()]).await;
    }

    pub async fn start_again(&self) {
        run(vec!["start".into(), self.path(), self.port.to_string()]).await;
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = pg_server(&["stop", &self.path()]).status();
    }
}
