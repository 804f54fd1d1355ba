//! The `#[wasm_bindgen]` facade: no logic lives here.
