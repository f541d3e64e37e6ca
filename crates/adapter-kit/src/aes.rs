//! AES-CBC decryption and PKCS#7 unpadding for encrypted push bodies.
//!
//! Several platforms encrypt what they push instead of (or besides) signing
//! it: Kuaishou posts AES-CBC ciphertext (16-byte PKCS#7 blocks), WeChat's
//! safe mode puts AES-256-CBC ciphertext in `Encrypt` (PKCS#7 over 32-byte
//! blocks). The two steps are kept apart on purpose — [`aes_cbc_decrypt`]
//! returns the raw plaintext and [`strip_pkcs7`] removes the padding for a
//! given block size — because the block sizes differ and a platform's
//! envelope checks sit between them.
//!
//! The block cipher is RustCrypto's `aes` (constant-time bitsliced software
//! on wasm32, hardware instructions natively where available); CBC chaining
//! is `cbc`. Bad input is a typed [`KitError`], never a panic. The padding
//! check is not constant time: callers either authenticate the ciphertext
//! first (WeChat's `msg_signature`) or give one error for every failure
//! (Kuaishou), so no padding oracle is exposed.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, KeyIvInit};

use crate::KitError;

/// The AES block size in bytes.
pub const BLOCK: usize = 16;

fn cbc_in_place<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<(), KitError>
where
    cbc::Decryptor<C>: KeyIvInit + BlockDecryptMut,
    C: aes::cipher::BlockDecryptMut + aes::cipher::BlockCipher,
{
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| KitError::invalid("AES key/IV", "wrong length"))?;
    decryptor
        .decrypt_padded_mut::<NoPadding>(buf)
        .map(|_| ())
        .map_err(|_| KitError::MalformedPayload("ciphertext: not whole AES blocks".into()))
}

/// Decrypts AES-CBC `data` with a 16, 24 or 32-byte `key` (AES-128/192/256)
/// and a 16-byte `iv`, returning the raw plaintext with its padding still on.
///
/// A key or IV of another length is `invalid-field` (a configuration
/// problem); empty ciphertext or ciphertext that is not whole 16-byte blocks
/// (for example a truncated body) is `malformed-payload`.
pub fn aes_cbc_decrypt(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, KitError> {
    if iv.len() != BLOCK {
        return Err(KitError::invalid(
            "AES IV",
            format_args!("must be 16 bytes, got {}", iv.len()),
        ));
    }
    if data.is_empty() || !data.len().is_multiple_of(BLOCK) {
        return Err(KitError::MalformedPayload(format!(
            "ciphertext: {} bytes is not a whole number of 16-byte AES blocks",
            data.len()
        )));
    }
    let mut buf = data.to_vec();
    match key.len() {
        16 => cbc_in_place::<aes::Aes128>(key, iv, &mut buf)?,
        24 => cbc_in_place::<aes::Aes192>(key, iv, &mut buf)?,
        32 => cbc_in_place::<aes::Aes256>(key, iv, &mut buf)?,
        other => {
            return Err(KitError::invalid(
                "AES key",
                format_args!("must be 16, 24 or 32 bytes, got {other}"),
            ));
        }
    }
    Ok(buf)
}

/// Removes PKCS#7 padding for `block_size` (16 for standard AES padding —
/// PKCS#5 in Java's naming —, 32 for WeChat's encoder).
///
/// The data must be a non-empty whole number of blocks and end in `n` bytes
/// of value `n`, 1 ≤ `n` ≤ `block_size`; anything else is
/// `malformed-payload` (in practice: a wrong key, or a truncated or altered
/// ciphertext). A `block_size` outside 1..=255 is `invalid-field`.
pub fn strip_pkcs7(data: &[u8], block_size: usize) -> Result<&[u8], KitError> {
    if block_size == 0 || block_size > 255 {
        return Err(KitError::invalid(
            "PKCS#7 block size",
            format_args!("{block_size} is not in 1..=255"),
        ));
    }
    if data.is_empty() || !data.len().is_multiple_of(block_size) {
        return Err(KitError::MalformedPayload(format!(
            "PKCS#7 padding: {} bytes is not a whole number of {block_size}-byte blocks",
            data.len()
        )));
    }
    let pad = data.last().copied().map(usize::from).unwrap_or(0);
    if pad == 0 || pad > block_size {
        return Err(KitError::MalformedPayload(format!(
            "PKCS#7 padding: last byte {pad} is not in 1..={block_size} (wrong key or damaged ciphertext)"
        )));
    }
    let (body, tail) = data.split_at(data.len() - pad);
    if tail.iter().any(|&b| usize::from(b) != pad) {
        return Err(KitError::MalformedPayload(format!(
            "PKCS#7 padding: the last {pad} bytes are not all {pad} (wrong key or damaged ciphertext)"
        )));
    }
    Ok(body)
}

/// AES-CBC decryption followed by PKCS#7 unpadding over `block_size`.
pub fn aes_cbc_decrypt_pkcs7(
    key: &[u8],
    iv: &[u8],
    data: &[u8],
    block_size: usize,
) -> Result<Vec<u8>, KitError> {
    let plain = aes_cbc_decrypt(key, iv, data)?;
    Ok(strip_pkcs7(&plain, block_size)?.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s.replace([' ', '\n'], "")).unwrap()
    }

    // NIST SP 800-38A, Appendix F.2.5 / F.2.6 (CBC-AES256), shared by both.
    const KEY256: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
    const IV: &str = "000102030405060708090a0b0c0d0e0f";
    const PLAIN: &str = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
                         30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
    const CIPHER256: &str = "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d
                             39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b";

    #[test]
    fn sp800_38a_f_2_6_cbc_aes256_decrypt() {
        let plain = aes_cbc_decrypt(&hex(KEY256), &hex(IV), &hex(CIPHER256)).unwrap();
        assert_eq!(plain, hex(PLAIN));
    }

    #[test]
    fn sp800_38a_f_2_5_cbc_aes256_encrypt_vector_read_backwards() {
        // F.2.5 gives the same four blocks as an encryption; decrypting each
        // prefix checks the chaining block by block.
        let cipher = hex(CIPHER256);
        let plain = hex(PLAIN);
        for blocks in 1..=4 {
            let n = blocks * BLOCK;
            assert_eq!(
                aes_cbc_decrypt(&hex(KEY256), &hex(IV), &cipher[..n]).unwrap(),
                plain[..n]
            );
        }
        // A later block alone decrypts with the previous ciphertext block as IV.
        assert_eq!(
            aes_cbc_decrypt(&hex(KEY256), &cipher[16..32], &cipher[32..48]).unwrap(),
            plain[32..48]
        );
    }

    #[test]
    fn sp800_38a_f_2_2_cbc_aes128_decrypt() {
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c");
        let cipher = hex("7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2");
        let plain = aes_cbc_decrypt(&key, &hex(IV), &cipher).unwrap();
        assert_eq!(
            plain,
            hex("6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51")
        );
    }

    #[test]
    fn sp800_38a_f_2_4_cbc_aes192_decrypt_first_block() {
        let key = hex("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b");
        let plain =
            aes_cbc_decrypt(&key, &hex(IV), &hex("4f021db243bc633d7178183a9fa071e8")).unwrap();
        assert_eq!(plain, hex("6bc1bee22e409f96e93d7e117393172a"));
    }

    #[test]
    fn pkcs7_round_trip_with_an_independent_encryption() {
        // "hello" encrypted with an all-zero AES-128 key and IV by Python's
        // `cryptography` package (CBC, PKCS#7 over 16 bytes).
        let data = hex("9834ed518cbc8fbe9af3c6ecb75eb8c0");
        assert_eq!(
            aes_cbc_decrypt_pkcs7(&[0; 16], &[0; 16], &data, 16).unwrap(),
            b"hello"
        );
    }

    #[test]
    fn bad_key_iv_and_lengths_are_typed_errors() {
        let data = hex(CIPHER256);
        assert!(matches!(
            aes_cbc_decrypt(&[0; 20], &hex(IV), &data),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            aes_cbc_decrypt(&hex(KEY256), &[0; 8], &data),
            Err(KitError::InvalidField(_))
        ));
        for len in [0, 15, 17, 63] {
            assert!(matches!(
                aes_cbc_decrypt(&hex(KEY256), &hex(IV), &data[..len]),
                Err(KitError::MalformedPayload(_))
            ));
        }
    }

    #[test]
    fn pkcs7_block_sizes_and_bad_padding() {
        let mut block32 = vec![b'x'; 30];
        block32.extend([2, 2]);
        assert_eq!(strip_pkcs7(&block32, 32).unwrap(), &[b'x'; 30][..]);
        // WeChat pads a multiple of 32 with a whole block of 32s.
        let full = [32u8; 32];
        assert_eq!(strip_pkcs7(&full, 32).unwrap(), b"");
        // 32 is too much for 16-byte blocks.
        assert!(matches!(
            strip_pkcs7(&full, 16),
            Err(KitError::MalformedPayload(_))
        ));
        let mut bad = vec![b'x'; 13];
        bad.extend([3, 2, 3]);
        assert!(matches!(
            strip_pkcs7(&bad, 16),
            Err(KitError::MalformedPayload(_))
        ));
        let mut zero = vec![b'x'; 15];
        zero.push(0);
        assert!(matches!(
            strip_pkcs7(&zero, 16),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            strip_pkcs7(&[1; 16], 32),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            strip_pkcs7(b"", 16),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            strip_pkcs7(&[1], 0),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            strip_pkcs7(&[1], 256),
            Err(KitError::InvalidField(_))
        ));
    }
}
