//! Tokens at rest: AES-256-GCM under the 32-byte session key, a fresh random nonce per value.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};

#[derive(Clone)]
pub struct TokenCipher {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCipher(..)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CipherError {
    #[error("the session key must be 32 bytes of base64")]
    BadKey,
    #[error(
        "a stored token could not be decrypted (the session key changed, or the data was altered)"
    )]
    Undecryptable,
}

impl TokenCipher {
    /// From the base64 key in `CAMPAIGNS_SESSION_KEY`.
    pub fn from_base64(key: &SecretString) -> Result<Self, CipherError> {
        let bytes = STANDARD
            .decode(key.expose_secret().trim())
            .map_err(|_| CipherError::BadKey)?;
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CipherError> {
        let cipher = Aes256Gcm::new_from_slice(bytes).map_err(|_| CipherError::BadKey)?;
        Ok(Self { cipher })
    }

    /// A random key that lives as long as the process (demo mode without a configured key).
    pub fn ephemeral() -> Self {
        let key: [u8; 32] = rand::random();
        Self::from_bytes(&key).expect("32 bytes is an AES-256 key")
    }

    pub fn encrypt(&self, plaintext: &SecretString) -> String {
        let nonce_bytes: [u8; 12] = rand::random();
        let nonce = Nonce::from_slice(&nonce_bytes);
        let ct = self
            .cipher
            .encrypt(nonce, plaintext.expose_secret().as_bytes())
            .expect("AES-GCM encryption of a short token cannot fail");
        let mut out = nonce_bytes.to_vec();
        out.extend(ct);
        STANDARD.encode(out)
    }

    pub fn decrypt(&self, stored: &str) -> Result<SecretString, CipherError> {
        let raw = STANDARD
            .decode(stored)
            .map_err(|_| CipherError::Undecryptable)?;
        if raw.len() < 12 + 16 {
            return Err(CipherError::Undecryptable);
        }
        let (nonce, ct) = raw.split_at(12);
        let pt = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| CipherError::Undecryptable)?;
        String::from_utf8(pt)
            .map(SecretString::from)
            .map_err(|_| CipherError::Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_never_stores_the_plaintext() {
        let c = TokenCipher::ephemeral();
        let token = SecretString::from("gho_example_token_value");
        let a = c.encrypt(&token);
        let b = c.encrypt(&token);
        assert_ne!(a, b, "a fresh nonce every time");
        assert!(!a.contains("gho_example"));
        assert_eq!(
            c.decrypt(&a).unwrap().expose_secret(),
            "gho_example_token_value"
        );
    }

    #[test]
    fn another_key_or_altered_data_fails() {
        let token = SecretString::from("value");
        let stored = TokenCipher::ephemeral().encrypt(&token);
        assert_eq!(
            TokenCipher::ephemeral().decrypt(&stored).unwrap_err(),
            CipherError::Undecryptable
        );
        let c = TokenCipher::ephemeral();
        let mut bytes = STANDARD.decode(c.encrypt(&token)).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(c.decrypt(&STANDARD.encode(bytes)).is_err());
        assert!(c.decrypt("short").is_err());
    }

    #[test]
    fn keys_must_be_32_bytes() {
        assert!(TokenCipher::from_bytes(&[0u8; 16]).is_err());
        assert!(TokenCipher::from_base64(&SecretString::from(
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
        ))
        .is_ok());
    }
}
