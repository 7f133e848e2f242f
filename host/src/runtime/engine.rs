//! The one `wasmtime::Engine` of the process, and the epoch ticker behind wall-clock limits.

use std::time::Duration;
use wasmtime::{Config, Engine};

/// How often the engine's epoch advances; the granularity of wall-clock limits.
pub const EPOCH_TICK: Duration = Duration::from_millis(2);

/// An engine for plugins: components, fuel and epoch interruption on, and a thread that
/// advances the epoch for as long as the engine lives.
pub fn new_engine() -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.consume_fuel(true);
    config.epoch_interruption(true);
    // A plugin must never bring the host down through deep recursion.
    config.max_wasm_stack(1024 * 1024);
    let engine = Engine::new(&config)?;
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("pos-host-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })?;
    Ok(engine)
}
