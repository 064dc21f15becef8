use proptest::prelude::*;

use super::*;

fn room() -> RoomCode {
    RoomCode::parse("K7QX2MHDP").expect("valid code")
}

fn name(text: &str) -> Username {
    Username::parse(text).expect("valid name")
}

fn key(byte: u8) -> RoomKey {
    RoomKey::from_bytes([byte; ROOM_KEY_BYTES])
}

/// The test vectors of `docs/protocol.md` ("Private rooms"), computed independently with
/// Python's `cryptography` package: room key bytes 07 × 32.
mod vectors {
    pub const ROOM_KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc";
    pub const VERIFY_KEY: &str = "0ZZ3Qq3xVe0N9kYtCnzK_NiNk5DmCNlpVhBva145U58";
    pub const SAFETY: &str = "25856 06822 96118 75861 12296 88640";
    /// `meet at noon`, a chat by `ann` in `K7Q-X2M-HDP`, nonce bytes 00..=17 (hex).
    pub const SEALED: &str = "mrR1Hejj2lTTWdRphcs1jOe746K4bZ6clFE6Le8BRH3gO_R04muVBXqZXEZn3ydgAl0V9Yd-FkKLCrhKzhbSAgABAgMEBQYHCAkKCwwNDg8QERITFBUWF2uE95IQF-R-zYq6Ij6IgPe_ksX6tmOw4Xz0i5A";
    /// `👍` as `ann`'s reaction to message 41 in `K7Q-X2M-HDP`: the `react`'s `emoji`.
    pub const REACT: &str = "49kU6J2uQQa-NOEdIF2mO9JsE8Ydacf_0JssMhz2WcnAm4LLeIN4N0cFhGtSl3DkqRjAAkkAM7Mr1WG-3qXRBo9JBsHhnwo-2F7-x-sIzzJiB3YTlUyPFj3WsZjW8kLGmoUKuCK16JefUL24";
    /// The token the room keeps for `👍` (the same whoever reacts, on any message).
    pub const TOKEN: &str = "j0kGweGfCj7YXv7H6wjPMmIHdhOVTI8WPdaxmNbyQsaahQq4IrXol59Qvbg";
}

#[test]
fn the_documented_vectors_derive_from_the_documented_key() {
    let key = RoomKey::parse(vectors::ROOM_KEY).expect("the vector key");
    assert_eq!(key, self::key(7));
    assert_eq!(key.verify_key().encode(), vectors::VERIFY_KEY);
    assert_eq!(key.safety_code(), vectors::SAFETY);
    let (room, ann) = (room(), name("ann"));
    let verify_key = VerifyKey::parse(vectors::VERIFY_KEY).expect("the vector key");
    let post = Post::chat(&room, &ann, None);
    assert_eq!(verify(&verify_key, &post, vectors::SEALED), Ok(()));
    let react = Post::react(&room, &ann, 41);
    assert_eq!(
        reaction::token_of(&verify_key, &react, vectors::REACT).as_deref(),
        Ok(vectors::TOKEN)
    );
}

#[test]
fn a_room_key_round_trips_through_its_text_form() {
    let key = key(7);
    let text = key.encode();
    assert_eq!(text.len(), keys::ROOM_KEY_CHARS);
    assert_eq!(RoomKey::parse(&text), Ok(key));
}

#[test]
fn a_damaged_room_key_is_refused() {
    let text = key(7).encode();
    assert_eq!(RoomKey::parse(&text[1..]), Err(RoomKeyError::Malformed));
    assert_eq!(
        RoomKey::parse(&format!("{text}A")),
        Err(RoomKeyError::Malformed)
    );
    let bad = format!("{}*", &text[1..]);
    assert_eq!(RoomKey::parse(&bad), Err(RoomKeyError::Malformed));
}

#[test]
fn a_room_keys_debug_form_hides_it() {
    let key = key(7);
    assert!(!format!("{key:?}").contains(&key.encode()));
}

#[test]
fn a_verify_key_is_refused_unless_it_is_32_bytes_of_a_curve_point() {
    let good = key(7).verify_key();
    assert_eq!(VerifyKey::parse(&good.encode()), Ok(good));
    // 31 and 33 bytes.
    assert!(VerifyKey::parse(&URL_SAFE_NO_PAD.encode([1u8; 31])).is_err());
    assert!(VerifyKey::parse(&URL_SAFE_NO_PAD.encode([1u8; 33])).is_err());
    assert!(VerifyKey::parse("not base64!").is_err());
    let json = serde_json::to_string(&good).expect("encodes");
    assert_eq!(json, format!("\"{}\"", good.encode()));
}

#[test]
fn different_keys_derive_different_verify_keys_and_safety_codes() {
    assert_ne!(key(1).verify_key(), key(2).verify_key());
    assert_ne!(key(1).safety_code(), key(2).safety_code());
    assert_eq!(key(1).safety_code(), key(1).safety_code());
}

#[test]
fn a_safety_code_is_six_groups_of_five_digits() {
    let code = key(9).safety_code();
    let groups: Vec<&str> = code.split(' ').collect();
    assert_eq!(groups.len(), keys::SAFETY_GROUPS);
    for group in groups {
        assert_eq!(group.len(), keys::SAFETY_GROUP_DIGITS as usize);
        assert!(group.chars().all(|c| c.is_ascii_digit()));
    }
}

#[test]
fn the_relay_refuses_what_is_not_a_sealed_text() {
    let verify_key = key(1).verify_key();
    let ann = name("ann");
    let room = room();
    let post = Post::chat(&room, &ann, None);
    assert_eq!(
        verify(&verify_key, &post, "hello"),
        Err(SignatureError::NotSigned)
    );
    // One byte short of a signature, a nonce and a tag.
    let short = URL_SAFE_NO_PAD.encode([0u8; SEAL_OVERHEAD_BYTES - 1]);
    assert_eq!(
        verify(&verify_key, &post, &short),
        Err(SignatureError::NotSigned)
    );
    let long_enough = URL_SAFE_NO_PAD.encode([0u8; SEAL_OVERHEAD_BYTES]);
    assert_eq!(
        verify(&verify_key, &post, &long_enough),
        Err(SignatureError::BadSignature)
    );
}

#[test]
fn max_plaintext_bytes_is_the_longest_plaintext_whose_sealed_text_fits() {
    for limit in [140, 141, 142, 143, 4000] {
        let most = max_plaintext_bytes(limit);
        let sealed = |n: usize| URL_SAFE_NO_PAD.encode(vec![0u8; n + SEAL_OVERHEAD_BYTES]);
        assert!(sealed(most).len() <= limit, "{limit}");
        assert!(sealed(most + 1).len() > limit, "{limit}");
    }
    assert_eq!(max_plaintext_bytes(10), 0);
}

#[cfg(feature = "seal")]
mod sealing {
    use super::*;

    #[test]
    fn the_documented_sealed_text_is_what_sealing_makes_and_it_opens() {
        let key = key(7);
        let (room, ann) = (room(), name("ann"));
        let post = Post::chat(&room, &ann, None);
        let nonce: [u8; NONCE_BYTES] = std::array::from_fn(|i| i as u8);
        assert_eq!(
            key.seal_with_nonce(&post, "meet at noon", nonce),
            vectors::SEALED
        );
        assert_eq!(
            key.open(&post, vectors::SEALED).as_deref(),
            Ok("meet at noon")
        );
    }

    #[test]
    fn the_documented_sealed_reaction_is_what_sealing_makes_and_its_token_opens() {
        let key = key(7);
        let (room, ann) = (room(), name("ann"));
        let post = Post::react(&room, &ann, 41);
        assert_eq!(key.seal_reaction(&post, "👍"), vectors::REACT);
        assert_eq!(
            key.open_reaction(&room, vectors::TOKEN).as_deref(),
            Ok("👍")
        );
    }

    #[test]
    fn a_sealed_message_opens_with_its_key_and_verifies_at_the_relay() {
        let key = RoomKey::generate().expect("randomness");
        let (room, ann) = (room(), name("ann"));
        let post = Post::chat(&room, &ann, Some(3));
        let text = key.seal(&post, "meet at noon").expect("randomness");
        assert!(!text.contains("noon"));
        assert_eq!(verify(&key.verify_key(), &post, &text), Ok(()));
        assert_eq!(key.open(&post, &text).as_deref(), Ok("meet at noon"));
    }

    #[test]
    fn two_seals_of_one_text_differ() {
        let key = key(3);
        let (room, ann) = (room(), name("ann"));
        let post = Post::chat(&room, &ann, None);
        let a = key.seal(&post, "same").expect("randomness");
        let b = key.seal(&post, "same").expect("randomness");
        assert_ne!(a, b);
    }

    #[test]
    fn another_key_can_neither_open_nor_pass_the_relay() {
        let (room, ann) = (room(), name("ann"));
        let post = Post::chat(&room, &ann, None);
        let text = key(1).seal(&post, "secret").expect("randomness");
        assert_eq!(key(2).open(&post, &text), Err(OpenError::BadSignature));
        assert_eq!(
            verify(&key(2).verify_key(), &post, &text),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn a_text_moved_to_another_room_kind_sender_or_target_is_refused() {
        let key = key(1);
        let (room, ann, bob) = (room(), name("ann"), name("bob"));
        let other_room = RoomCode::parse("ABCDEFGHJ").expect("valid");
        let text = key
            .seal(&Post::chat(&room, &ann, None), "hi")
            .expect("randomness");
        for moved in [
            Post::chat(&other_room, &ann, None),
            Post::chat(&room, &bob, None),
            Post::chat(&room, &ann, Some(1)),
            Post::edit(&room, &ann, 1),
            Post::whisper(&room, &ann, &bob),
        ] {
            assert_eq!(
                verify(&key.verify_key(), &moved, &text),
                Err(SignatureError::BadSignature),
                "{moved:?}"
            );
            assert!(key.open(&moved, &text).is_err(), "{moved:?}");
        }
    }

    #[test]
    fn an_edit_opens_as_an_edit_of_its_message() {
        let key = key(1);
        let (room, ann) = (room(), name("ann"));
        let post = Post::edit(&room, &ann, 5);
        let text = key.seal(&post, "fixed").expect("randomness");
        assert_eq!(verify(&key.verify_key(), &post, &text), Ok(()));
        assert_eq!(key.open(&post, &text).as_deref(), Ok("fixed"));
        assert!(key.open(&Post::edit(&room, &ann, 6), &text).is_err());
    }

    #[test]
    fn a_signed_but_tampered_ciphertext_does_not_open() {
        let key = key(1);
        let (room, ann) = (room(), name("ann"));
        let post = Post::chat(&room, &ann, None);
        let text = key.seal(&post, "hello").expect("randomness");
        let mut sealed = Sealed::parse(&text).expect("sealed");
        let last = sealed.body.len() - 1;
        sealed.body[last] ^= 1;
        // Re-signed by a key holder, so only the AEAD can catch it.
        let forged = key.sign(&post, sealed.body).encode();
        assert_eq!(key.open(&post, &forged), Err(OpenError::Tampered));
    }

    #[test]
    fn a_reaction_token_is_the_same_for_everyone_and_the_relay_checks_who_and_where() {
        use super::reaction::{is_token, token_of};
        let key = key(1);
        let verify_key = key.verify_key();
        let (room, ann, bob) = (room(), name("ann"), name("bob"));
        let (ann_on_4, bob_on_9) = (Post::react(&room, &ann, 4), Post::react(&room, &bob, 9));
        let sealed = key.seal_reaction(&ann_on_4, "👍");
        let token = token_of(&verify_key, &ann_on_4, &sealed).expect("signed for it");
        let bobs = key.seal_reaction(&bob_on_9, "👍");
        assert_eq!(token_of(&verify_key, &bob_on_9, &bobs).as_ref(), Ok(&token));
        assert!(is_token(&token) && !token.contains('👍'));
        let party = key.seal_reaction(&ann_on_4, "🎉");
        assert_ne!(
            token_of(&verify_key, &ann_on_4, &party).as_ref(),
            Ok(&token)
        );
        assert_eq!(key.open_reaction(&room, &token).as_deref(), Ok("👍"));
        // Signed for ann on message 4: not bob's, not message 5's, not another room's key.
        for moved in [Post::react(&room, &bob, 4), Post::react(&room, &ann, 5)] {
            assert_eq!(
                token_of(&verify_key, &moved, &sealed),
                Err(SignatureError::BadSignature)
            );
        }
        assert!(token_of(&self::key(2).verify_key(), &ann_on_4, &sealed).is_err());
        assert!(
            token_of(&verify_key, &ann_on_4, "👍").is_err(),
            "not sealed"
        );
        // Another room's key, or a token changed by one bit, does not open.
        assert!(self::key(2).open_reaction(&room, &token).is_err());
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).expect("base64url");
        bytes[0] ^= 1;
        assert!(
            key.open_reaction(&room, &URL_SAFE_NO_PAD.encode(bytes))
                .is_err()
        );
    }

    #[test]
    fn a_reaction_sealed_with_a_random_nonce_is_not_a_token_its_key_makes() {
        let key = key(1);
        let (room, ann) = (room(), name("ann"));
        let post = Post::react(&room, &ann, 4);
        let random = key.seal(&post, "👍").expect("randomness");
        let token = super::reaction::token_of(&key.verify_key(), &post, &random)
            .expect("signed, so the relay keeps it");
        // A client shows it as unreadable: the same emoji must make the same token.
        assert_eq!(key.open_reaction(&room, &token), Err(OpenError::Tampered));
    }

    proptest! {
        #[test]
        fn any_text_round_trips_and_any_flipped_bit_is_caught(
            plain in "\\PC{0,200}",
            seed in any::<[u8; 32]>(),
            flip in any::<prop::sample::Index>(),
        ) {
            let key = RoomKey::from_bytes(seed);
            let (room, ann) = (room(), name("ann"));
            let post = Post::chat(&room, &ann, None);
            let text = key.seal(&post, &plain).expect("randomness");
            prop_assert_eq!(key.open(&post, &text), Ok(plain));
            let mut bytes = URL_SAFE_NO_PAD.decode(&text).expect("base64url");
            let at = flip.index(bytes.len());
            bytes[at] ^= 0x80;
            let flipped = URL_SAFE_NO_PAD.encode(bytes);
            prop_assert!(key.open(&post, &flipped).is_err());
            prop_assert!(verify(&key.verify_key(), &post, &flipped).is_err());
        }
    }
}
