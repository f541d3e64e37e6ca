//! AES-CBC decryption (FIPS-197 inverse cipher, 128/192/256-bit keys) with
//! PKCS#5/#7 unpadding, for the encrypted push bodies.
//!
//! The workspace has no AES crate, so this is a small self-contained one.
//! It only decrypts. It is not constant time (table look-ups): the push key
//! is not exposed by timing because an attacker only learns whether a forged
//! body decrypts to a well-formed envelope, which they cannot produce without
//! the key anyway.

/// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.
fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        let high = a & 0x80;
        a <<= 1;
        if high != 0 {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    p
}

/// The S-box and its inverse, derived from the field inverse and the affine
/// map rather than typed in, so no table entry can be mistyped.
fn sboxes() -> ([u8; 256], [u8; 256]) {
    let mut sbox = [0u8; 256];
    let mut inv = [0u8; 256];
    for x in 0..=255u8 {
        // The multiplicative inverse by exhaustive search (0 maps to 0).
        let mut y = 0u8;
        if x != 0 {
            for c in 1..=255u8 {
                if gmul(x, c) == 1 {
                    y = c;
                    break;
                }
            }
        }
        let s =
            y ^ y.rotate_left(1) ^ y.rotate_left(2) ^ y.rotate_left(3) ^ y.rotate_left(4) ^ 0x63;
        sbox[usize::from(x)] = s;
        inv[usize::from(s)] = x;
    }
    (sbox, inv)
}

/// An expanded AES key, ready to decrypt blocks.
pub struct Aes {
    round_keys: Vec<[u8; 16]>,
    inv_sbox: [u8; 256],
}

impl Aes {
    /// Expands a 16, 24 or 32-byte key; other lengths are refused.
    pub fn new(key: &[u8]) -> Option<Self> {
        let nk = match key.len() {
            16 => 4,
            24 => 6,
            32 => 8,
            _ => return None,
        };
        let rounds = nk + 6;
        let (sbox, inv_sbox) = sboxes();
        let mut words: Vec<[u8; 4]> = key
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect();
        let mut rcon = 1u8;
        for i in nk..4 * (rounds + 1) {
            let mut t = words[i - 1];
            if i % nk == 0 {
                t = [t[1], t[2], t[3], t[0]];
                t = t.map(|b| sbox[usize::from(b)]);
                t[0] ^= rcon;
                rcon = gmul(rcon, 2);
            } else if nk > 6 && i % nk == 4 {
                t = t.map(|b| sbox[usize::from(b)]);
            }
            let prev = words[i - nk];
            words.push([
                prev[0] ^ t[0],
                prev[1] ^ t[1],
                prev[2] ^ t[2],
                prev[3] ^ t[3],
            ]);
        }
        let round_keys = words
            .chunks_exact(4)
            .map(|w| {
                let mut k = [0u8; 16];
                for (j, word) in w.iter().enumerate() {
                    k[4 * j..4 * j + 4].copy_from_slice(word);
                }
                k
            })
            .collect();
        Some(Aes {
            round_keys,
            inv_sbox,
        })
    }

    /// Decrypts one 16-byte block in place (column-major state, as FIPS-197).
    pub fn decrypt_block(&self, block: &mut [u8; 16]) {
        let rounds = self.round_keys.len() - 1;
        xor(block, &self.round_keys[rounds]);
        for round in (0..rounds).rev() {
            inv_shift_rows(block);
            for b in block.iter_mut() {
                *b = self.inv_sbox[usize::from(*b)];
            }
            xor(block, &self.round_keys[round]);
            if round != 0 {
                inv_mix_columns(block);
            }
        }
    }
}

fn xor(block: &mut [u8; 16], key: &[u8; 16]) {
    for (b, k) in block.iter_mut().zip(key) {
        *b ^= k;
    }
}

fn inv_shift_rows(s: &mut [u8; 16]) {
    let old = *s;
    for col in 0..4 {
        for row in 0..4 {
            s[4 * col + row] = old[4 * ((col + 4 - row) % 4) + row];
        }
    }
}

fn inv_mix_columns(s: &mut [u8; 16]) {
    for col in s.chunks_exact_mut(4) {
        let a = [col[0], col[1], col[2], col[3]];
        for (row, out) in col.iter_mut().enumerate() {
            *out = gmul(a[row], 0x0e)
                ^ gmul(a[(row + 1) % 4], 0x0b)
                ^ gmul(a[(row + 2) % 4], 0x0d)
                ^ gmul(a[(row + 3) % 4], 0x09);
        }
    }
}

/// Why a ciphertext did not decrypt.
#[derive(Debug, PartialEq, Eq)]
pub enum DecryptError {
    /// The key is not 16, 24 or 32 bytes.
    KeyLength(usize),
    /// The ciphertext is empty or not whole blocks.
    Length(usize),
    /// The last block does not end in valid PKCS#7 padding.
    Padding,
}

/// AES-CBC decryption with PKCS#5/#7 unpadding.
pub fn cbc_decrypt(key: &[u8], iv: &[u8; 16], data: &[u8]) -> Result<Vec<u8>, DecryptError> {
    let aes = Aes::new(key).ok_or(DecryptError::KeyLength(key.len()))?;
    if data.is_empty() || !data.len().is_multiple_of(16) {
        return Err(DecryptError::Length(data.len()));
    }
    let mut out = Vec::with_capacity(data.len());
    let mut prev = *iv;
    for chunk in data.chunks_exact(16) {
        let mut block = [0u8; 16];
        block.copy_from_slice(chunk);
        let cipher = block;
        aes.decrypt_block(&mut block);
        xor(&mut block, &prev);
        out.extend_from_slice(&block);
        prev = cipher;
    }
    let pad = out.last().copied().map(usize::from).unwrap_or(0);
    if pad == 0 || pad > 16 || pad > out.len() {
        return Err(DecryptError::Padding);
    }
    let (body, tail) = out.split_at(out.len() - pad);
    if tail.iter().any(|&b| usize::from(b) != pad) {
        return Err(DecryptError::Padding);
    }
    Ok(body.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn fips(key: &str, cipher: &str) {
        let aes = Aes::new(&hex(key)).unwrap();
        let mut block = [0u8; 16];
        block.copy_from_slice(&hex(cipher));
        aes.decrypt_block(&mut block);
        assert_eq!(block.to_vec(), hex("00112233445566778899aabbccddeeff"));
    }

    #[test]
    fn fips_197_appendix_c_vectors() {
        fips(
            "000102030405060708090a0b0c0d0e0f",
            "69c4e0d86a7b0430d8cdb78070b4c55a",
        );
        fips(
            "000102030405060708090a0b0c0d0e0f1011121314151617",
            "dda97ca4864cdfe06eaf70a0ec0d7191",
        );
        fips(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "8ea2b7ca516745bfeafc49904b496089",
        );
    }

    #[test]
    fn sp800_38a_cbc_aes128_first_block() {
        // NIST SP 800-38A F.2.2 (CBC-AES128.Decrypt), block 1. The vector has
        // no padding, so the block is decrypted and chained by hand.
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c");
        let iv: [u8; 16] = hex("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let aes = Aes::new(&key).unwrap();
        let mut block: [u8; 16] = hex("7649abac8119b246cee98e9b12e9197d").try_into().unwrap();
        aes.decrypt_block(&mut block);
        xor(&mut block, &iv);
        assert_eq!(block.to_vec(), hex("6bc1bee22e409f96e93d7e117393172a"));
    }

    #[test]
    fn cbc_round_trip_against_an_independent_encryption() {
        // "hello" encrypted with an all-zero key and IV by Python's
        // `cryptography` package (AES-128-CBC, PKCS#7).
        let data = hex("9834ed518cbc8fbe9af3c6ecb75eb8c0");
        assert_eq!(cbc_decrypt(&[0; 16], &[0; 16], &data).unwrap(), b"hello");
        // The same ciphertext under another key fails the padding check or
        // yields something else.
        assert_ne!(
            cbc_decrypt(&[1; 16], &[0; 16], &data),
            Ok(b"hello".to_vec())
        );
    }

    #[test]
    fn bad_lengths_and_padding_are_refused() {
        let key = [0u8; 16];
        let iv = [0u8; 16];
        assert_eq!(
            cbc_decrypt(&key[..5], &iv, &[0; 16]),
            Err(DecryptError::KeyLength(5))
        );
        assert_eq!(
            cbc_decrypt(&key, &iv, &[0; 15]),
            Err(DecryptError::Length(15))
        );
        assert_eq!(cbc_decrypt(&key, &iv, &[]), Err(DecryptError::Length(0)));
    }
}
