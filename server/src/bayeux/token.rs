//! Unguessable identifiers: client ids and browser ids.

use std::fmt::Write;

/// The operating system's random source failed.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("no randomness available")]
pub(crate) struct NoRandomness;

/// 128 random bits as 32 lowercase hex digits. Client ids are bearer tokens (knowing one is
/// enough to act as the client), so they must not be guessable.
pub(crate) fn random_token() -> Result<String, NoRandomness> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|_| NoRandomness)?;
    let mut token = String::with_capacity(32);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(token, "{byte:02x}");
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_128_bit_hex_and_distinct() {
        let a = random_token().ok();
        let b = random_token().ok();
        assert!(a
            .as_ref()
            .is_some_and(|t| t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit())));
        assert_ne!(a, b);
    }
}
