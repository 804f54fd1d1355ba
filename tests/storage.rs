//! Browser tests of the state stores and the clock (wasm-bindgen-test, in a real browser).
//!
//! Run with `cargo test -p hotline --target wasm32-unknown-unknown --tests`. All tests share
//! one page, so each test uses its own cookie name or storage key.

#![cfg(target_arch = "wasm32")]

use hotline::browser::{
    BrowserClock, CookieStore, LocalStorageStore, DEFAULT_COOKIE_NAME, DEFAULT_STORAGE_KEY,
};
use hotline::core::{ChatError, Clock, PersistedState, StateStore, StorageError, TransportKind};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlDocument, Storage};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> HtmlDocument {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .unchecked_into()
}

fn raw_cookies() -> String {
    document().cookie().unwrap()
}

fn set_raw_cookie(text: &str) {
    document().set_cookie(text).unwrap();
}

fn local_storage() -> Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn sample(session_id: &str) -> PersistedState {
    PersistedState {
        session_id: session_id.into(),
        server_url: "https://gms.example.com/genesys/cometd".into(),
        service: "customer-support".into(),
        secure_key: "7c8f3a1e9b2d4f60".into(),
        user_id: "007553863DC30029".into(),
        alias: "117".into(),
        last_index: 17,
        transport: TransportKind::Bayeux,
        saved_at_ms: 0,
    }
}

/// A JS object built from the body of a function returning it.
fn js_object(body: &str) -> JsValue {
    Function::new_no_args(body).call0(&JsValue::NULL).unwrap()
}

async fn sleep_ms(ms: i32) {
    let promise = Promise::new(&mut |resolve, _reject| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

// ---- CookieStore -------------------------------------------------------------------------

#[wasm_bindgen_test]
fn cookie_defaults() {
    let store = CookieStore::new(5).unwrap();
    assert_eq!(store.name(), DEFAULT_COOKIE_NAME);
    assert_eq!(store.name(), "gcState");
    let attrs = store.attributes();
    assert_eq!(attrs.path, "/");
    assert_eq!(attrs.max_age_secs, 5);
    assert_eq!(attrs.domain, None);
    // The test runner serves the page over http.
    let protocol = web_sys::window().unwrap().location().protocol().unwrap();
    assert_eq!(attrs.secure, protocol == "https:");
    // Max-Age is at least one second.
    assert_eq!(CookieStore::new(0).unwrap().attributes().max_age_secs, 1);
}

#[wasm_bindgen_test]
fn cookie_write_read_clear_among_other_cookies() {
    let name = "hlTestCookie1";
    set_raw_cookie("before=1; Path=/");
    set_raw_cookie("hlTestCookie1x=not-mine; Path=/");
    set_raw_cookie("xhlTestCookie1=not-mine-either; Path=/");
    let store = CookieStore::with_name(name, 30).unwrap();

    assert_eq!(store.read(), Ok(None));
    store.write(Some("v=1&sid=abc%3B&c=0")).unwrap();
    set_raw_cookie("after=2; Path=/");
    assert_eq!(store.read().unwrap().as_deref(), Some("v=1&sid=abc%3B&c=0"));
    let jar = raw_cookies();
    assert!(jar.contains("before=1"), "{jar}");
    assert!(jar.contains("after=2"), "{jar}");
    assert!(jar.contains("hlTestCookie1x=not-mine"), "{jar}");

    store.write(Some("second")).unwrap();
    assert_eq!(store.read().unwrap().as_deref(), Some("second"));

    store.write(None).unwrap();
    assert_eq!(store.read(), Ok(None));
    let jar = raw_cookies();
    assert!(
        !jar.split("; ")
            .any(|pair| pair.starts_with("hlTestCookie1=")),
        "{jar}"
    );
    assert!(jar.contains("before=1") && jar.contains("after=2"), "{jar}");
    assert!(jar.contains("hlTestCookie1x=not-mine"), "{jar}");
    assert!(jar.contains("xhlTestCookie1=not-mine-either"), "{jar}");
    // Clearing again is harmless.
    store.write(None).unwrap();

    for other in ["before", "after", "hlTestCookie1x", "xhlTestCookie1"] {
        set_raw_cookie(&format!("{other}=; Path=/; Max-Age=0"));
    }
}

#[wasm_bindgen_test]
fn cookie_refuses_unsafe_values_without_writing() {
    let store = CookieStore::with_name("hlTestCookie2", 30).unwrap();
    assert!(matches!(
        store.write(Some("a; Domain=evil.example")),
        Err(StorageError::Invalid {
            what: "cookie value",
            ..
        })
    ));
    assert!(matches!(
        store.write(Some(&"a".repeat(5000))),
        Err(StorageError::TooLarge { .. })
    ));
    assert_eq!(store.read(), Ok(None));
    assert!(matches!(
        CookieStore::with_name("bad name", 5),
        Err(StorageError::Invalid { .. })
    ));
    assert!(CookieStore::new(5)
        .unwrap()
        .with_domain("example.com; Secure")
        .is_err());
}

#[wasm_bindgen_test]
fn cookie_write_that_the_browser_drops_is_an_error() {
    // A domain that does not match the page: the browser ignores the cookie silently.
    let store = CookieStore::with_name("hlTestCookie3", 30)
        .unwrap()
        .with_domain("not-this-host.example")
        .unwrap();
    match store.write(Some("value")) {
        Err(StorageError::Write(reason)) => assert!(reason.contains("did not keep"), "{reason}"),
        other => panic!("expected a write error, got {other:?}"),
    }
    assert_eq!(store.read(), Ok(None));
}

/// `document.cookie` shows only names and values; the Cookie Store API (Chromium) shows the
/// attributes. Skipped, with a message, when the API is missing.
#[wasm_bindgen_test]
async fn cookie_attributes_seen_from_js() {
    let window = web_sys::window().unwrap();
    let cookie_store = Reflect::get(&window, &"cookieStore".into()).unwrap();
    if cookie_store.is_undefined() {
        wasm_bindgen_test::console_log!("cookieStore API missing: attribute test skipped");
        return;
    }
    let store = CookieStore::with_name("hlTestCookie4", 60).unwrap();
    let before = js_sys::Date::now();
    store.write(Some("v=1")).unwrap();

    let get: Function = Reflect::get(&cookie_store, &"get".into())
        .unwrap()
        .unchecked_into();
    let promise: Promise = get
        .call1(&cookie_store, &"hlTestCookie4".into())
        .unwrap()
        .unchecked_into();
    let cookie = JsFuture::from(promise).await.unwrap();
    let field = |name: &str| Reflect::get(&cookie, &name.into()).unwrap();

    assert_eq!(field("value").as_string().as_deref(), Some("v=1"));
    assert_eq!(field("path").as_string().as_deref(), Some("/"));
    assert_eq!(field("sameSite").as_string().as_deref(), Some("lax"));
    assert!(field("domain").is_null(), "host-only cookie");
    let secure = field("secure");
    if !secure.is_undefined() {
        let https = window.location().protocol().unwrap() == "https:";
        assert_eq!(secure.as_bool(), Some(https));
    }
    let expires = field("expires").as_f64().unwrap();
    let expected = before + 60_000.0;
    assert!(
        (expires - expected).abs() < 5_000.0,
        "expires {expires}, expected about {expected}"
    );

    store.write(None).unwrap();
}

#[wasm_bindgen_test]
async fn cookie_expires_after_max_offline_duration() {
    let store = CookieStore::with_name("hlTestCookie5", 1).unwrap();
    store.write(Some("short-lived")).unwrap();
    assert_eq!(store.read().unwrap().as_deref(), Some("short-lived"));
    sleep_ms(2_100).await;
    assert_eq!(store.read(), Ok(None), "the browser dropped the cookie");
}

#[wasm_bindgen_test]
fn cookie_holds_core_state() {
    let clock = BrowserClock;
    let store = CookieStore::with_name("hlTestCookie6", 5).unwrap();
    let mut state = PersistedState {
        alias: "a;b=c %d é 🎧".into(),
        ..sample("chat; id=1")
    };
    state.save_to(&store, clock.now_ms()).unwrap();
    let loaded = PersistedState::load_from(&store, clock.now_ms(), 5).unwrap();
    assert_eq!(loaded, state);
    store.write(None).unwrap();
    assert_eq!(
        PersistedState::load_from(&store, clock.now_ms(), 5),
        Err(ChatError::NoSavedState)
    );
}

// ---- LocalStorageStore -------------------------------------------------------------------

#[wasm_bindgen_test]
fn local_storage_defaults() {
    let store = LocalStorageStore::new();
    assert_eq!(store.key(), DEFAULT_STORAGE_KEY);
    assert_eq!(store.key(), "hotline.chat.state");
    assert!(!store.is_fallback());
    assert_eq!(store.fallback_reason(), None);
}

#[wasm_bindgen_test]
fn local_storage_round_trip() {
    let key = "hotline.test.round-trip";
    let store = LocalStorageStore::with_key(key);
    assert!(!store.is_fallback());
    assert_eq!(store.read(), Ok(None));

    store.write(Some("v=1&sid=x")).unwrap();
    assert_eq!(store.read().unwrap().as_deref(), Some("v=1&sid=x"));
    assert_eq!(
        local_storage().get_item(key).unwrap().as_deref(),
        Some("v=1&sid=x")
    );
    // Another store on the same key (the next page load) sees it.
    assert_eq!(
        LocalStorageStore::with_key(key).read().unwrap().as_deref(),
        Some("v=1&sid=x")
    );

    store.write(None).unwrap();
    assert_eq!(store.read(), Ok(None));
    assert_eq!(local_storage().get_item(key).unwrap(), None);
    assert!(!store.is_fallback());
}

#[wasm_bindgen_test]
fn local_storage_holds_core_state() {
    let clock = BrowserClock;
    let store = LocalStorageStore::with_key("hotline.test.state");
    let mut state = PersistedState {
        transport: TransportKind::Rest,
        ..sample("0001WaBbCc2D")
    };
    state.save_to(&store, clock.now_ms()).unwrap();
    assert_eq!(
        PersistedState::load_from(&store, clock.now_ms(), 5),
        Ok(state)
    );
    store.write(None).unwrap();
}

#[wasm_bindgen_test]
fn missing_storage_falls_back_to_memory() {
    let store = LocalStorageStore::from_storage("hotline.test.missing", None);
    assert!(store.is_fallback());
    assert!(store.fallback_reason().is_some());
    assert_eq!(store.read(), Ok(None));
    store.write(Some("kept in memory")).unwrap();
    assert_eq!(store.read().unwrap().as_deref(), Some("kept in memory"));
    assert_eq!(
        local_storage().get_item("hotline.test.missing").unwrap(),
        None
    );
    store.write(None).unwrap();
    assert_eq!(store.read(), Ok(None));
}

#[wasm_bindgen_test]
fn storage_that_throws_on_every_call_falls_back() {
    let stub: Storage = js_object(
        "const deny = () => { throw new DOMException('The operation is insecure.', 'SecurityError'); };
         return { getItem: deny, setItem: deny, removeItem: deny };",
    )
    .unchecked_into();
    let store = LocalStorageStore::from_storage("k", Some(stub));
    assert!(!store.is_fallback(), "no I/O before first use");

    assert_eq!(store.read(), Ok(None));
    assert!(store.is_fallback());
    let reason = store.fallback_reason().unwrap();
    assert!(
        reason.contains("getItem") && reason.contains("SecurityError"),
        "{reason}"
    );

    store.write(Some("in memory")).unwrap();
    assert_eq!(store.read().unwrap().as_deref(), Some("in memory"));
}

#[wasm_bindgen_test]
fn storage_over_quota_falls_back_and_keeps_the_value() {
    // Reads work; writes throw QuotaExceededError, as in Safari's old private mode.
    let stub_value = js_object(
        "const items = new Map([['k', 'older']]);
         return {
           items,
           getItem: (k) => items.has(k) ? items.get(k) : null,
           setItem: () => { throw new DOMException('quota', 'QuotaExceededError'); },
           removeItem: (k) => { items.delete(k); },
         };",
    );
    let stub: Storage = stub_value.clone().unchecked_into();
    let store = LocalStorageStore::from_storage("k", Some(stub));
    assert_eq!(store.read().unwrap().as_deref(), Some("older"));
    assert!(!store.is_fallback());

    store.write(Some("newer")).unwrap();
    assert!(store.is_fallback());
    let reason = store.fallback_reason().unwrap();
    assert!(
        reason.contains("setItem") && reason.contains("QuotaExceededError"),
        "{reason}"
    );
    assert_eq!(store.read().unwrap().as_deref(), Some("newer"));

    // The older value was removed from the failing storage, so a later page does not
    // restore it.
    let items = Reflect::get(&stub_value, &"items".into()).unwrap();
    let size = Reflect::get(&items, &"size".into()).unwrap();
    assert_eq!(size.as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
fn real_storage_is_accepted_through_from_storage() {
    let store = LocalStorageStore::from_storage("hotline.test.explicit", Some(local_storage()));
    store.write(Some("x")).unwrap();
    assert!(!store.is_fallback());
    assert_eq!(
        local_storage()
            .get_item("hotline.test.explicit")
            .unwrap()
            .as_deref(),
        Some("x")
    );
    store.write(None).unwrap();
}

// ---- Clock and expiry --------------------------------------------------------------------

#[wasm_bindgen_test]
fn browser_clock_reads_date_now() {
    let before = js_sys::Date::now() as u64;
    let now = BrowserClock.now_ms();
    let after = js_sys::Date::now() as u64;
    assert!(before <= now && now <= after);
    assert!(now > 1_600_000_000_000, "a plausible epoch time: {now}");
}

#[wasm_bindgen_test]
fn expiry_with_the_browser_clock() {
    let clock = BrowserClock;
    let store = LocalStorageStore::with_key("hotline.test.expiry");

    // Saved 6 s ago: refused with the default 5 s, accepted with 10 s.
    let mut old = sample("old");
    old.save_to(&store, clock.now_ms() - 6_000).unwrap();
    match PersistedState::load_from(&store, clock.now_ms(), 5) {
        Err(ChatError::StaleState {
            age_ms,
            max_offline_secs: 5,
        }) => assert!((6_000..7_000).contains(&age_ms), "{age_ms}"),
        other => panic!("expected stale state, got {other:?}"),
    }
    assert!(PersistedState::load_from(&store, clock.now_ms(), 10).is_ok());

    // Saved in the future beyond the skew allowance: refused.
    let mut future = sample("future");
    future.save_to(&store, clock.now_ms() + 60_000).unwrap();
    assert!(matches!(
        PersistedState::load_from(&store, clock.now_ms(), 5),
        Err(ChatError::StaleState { .. })
    ));

    // Just saved: accepted.
    let mut fresh = sample("fresh");
    fresh.save_to(&store, clock.now_ms()).unwrap();
    let loaded = PersistedState::load_from(&store, clock.now_ms(), 5).unwrap();
    assert!(loaded.is_fresh(clock.now_ms(), 5));
    assert_eq!(loaded.session_id, "fresh");

    store.write(None).unwrap();
}

#[wasm_bindgen_test]
fn unreadable_state_in_storage_is_a_clear_error() {
    let store = LocalStorageStore::with_key("hotline.test.garbage");
    store
        .write(Some("{\"sessionId\":\"abc\",\"lastIndex\":3}"))
        .unwrap();
    let err = PersistedState::load_from(&store, BrowserClock.now_ms(), 5).unwrap_err();
    assert_eq!(err.code(), 0);
    assert_eq!(
        err.description(),
        "restoreSession() failed to read state: the saved value is not hotline chat state"
    );
    store.write(None).unwrap();
}

// ---- Facade ------------------------------------------------------------------------------

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(hotline::js::version(), env!("CARGO_PKG_VERSION"));
}
