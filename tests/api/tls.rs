//! The GitHub client trusts the system's certificate store and `github.ca_file`: a TLS server
//! whose certificate is signed by a CA made here is refused until that CA is trusted one of
//! those ways (GitHub Enterprise Server behind a company CA).

use campaigns_admin::error::AppError;
use campaigns_admin::github::GitHubClient;
use campaigns_admin::settings::GitHubSettings;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

struct Pki {
    ca_pem: String,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

fn make_pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca_cert, &ca_key)
        .unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        cert_der: cert.der().to_vec(),
        key_der: key.serialize_der(),
    }
}

/// A one-route HTTPS server: `GET /user` answers a GitHub user. Returns its port.
async fn serve_tls(pki: &Pki) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![pki.cert_der.clone().into()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(pki.key_der.clone().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut seen = Vec::new();
                let mut buf = [0u8; 1024];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let body = r#"{"login":"mona","id":583231}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn settings(port: u16, ca_file: Option<std::path::PathBuf>) -> GitHubSettings {
    let url = url::Url::parse(&format!("https://localhost:{port}/")).unwrap();
    GitHubSettings {
        web_url: url.clone(),
        api_url: url,
        client_id: "Iv1.x".into(),
        client_secret: secrecy::SecretString::from("s"),
        scopes: vec![],
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(5),
        ca_file,
        alert_index: false,
        alert_index_fresh: Duration::ZERO,
        first_byte_wait: Duration::ZERO,
        app: None,
    }
}

async fn who(client: &GitHubClient) -> Result<String, AppError> {
    let token = secrecy::SecretString::from("gho_test");
    client.get_authenticated_user(&token).await.map(|u| u.login)
}

#[tokio::test]
async fn a_company_ca_is_trusted_through_ca_file_and_only_then() {
    let pki = make_pki();
    let port = serve_tls(&pki).await;
    let unknown = GitHubClient::new(&settings(port, None)).unwrap();
    assert_eq!(who(&unknown).await, Err(AppError::GitHubUnavailable));

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("company-ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let trusting = GitHubClient::new(&settings(port, Some(ca))).unwrap();
    assert_eq!(who(&trusting).await.unwrap(), "mona");

    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    assert!(GitHubClient::new(&settings(port, Some(not_pem))).is_err());
}

#[tokio::test]
async fn the_system_store_is_trusted_too() {
    // SSL_CERT_FILE is how the system store is pointed elsewhere. nextest runs every test in a
    // process of its own, so setting it here touches no other test.
    let pki = make_pki();
    let port = serve_tls(&pki).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("system.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    std::env::set_var("SSL_CERT_FILE", &ca);
    let client = GitHubClient::new(&settings(port, None)).unwrap();
    std::env::remove_var("SSL_CERT_FILE");
    assert_eq!(who(&client).await.unwrap(), "mona");
}
