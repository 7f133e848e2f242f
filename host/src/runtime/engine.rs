//! The one `wasmtime::Engine` of the process, and the epoch ticker behind wall-clock limits.

use std::time::Duration;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the engine's epoch advances; the granularity of wall-clock limits.
pub const EPOCH_TICK: Duration = Duration::from_millis(2);

/// How many hook calls may run at once; a call beyond this falls back to the built-in
/// behaviour. Each one reserves address space, and keeps resident what it touched, up to
/// `KEEP_RESIDENT_MEMORY`, once used.
pub const MAX_CONCURRENT_CALLS: u32 = 256;

/// What a finished call's linear memory and tables keep of the pages they touched, for the
/// next call to reuse: the resident cost is at most this per pool slot ever used at once.
const KEEP_RESIDENT_MEMORY: usize = 1024 * 1024;
const KEEP_RESIDENT_TABLE: usize = 64 * 1024;

/// The largest linear memory a plugin may be granted.
pub const MAX_MEMORY_MIB: u32 = 1024;

/// An engine for plugins: components, fuel and epoch interruption on, a pooling allocator
/// (a fresh instance per call must cost microseconds, not mmap calls), and a thread that
/// advances the epoch for as long as the engine lives.
pub fn new_engine() -> wasmtime::Result<Engine> {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(MAX_CONCURRENT_CALLS)
        .total_stacks(MAX_CONCURRENT_CALLS)
        .total_core_instances(MAX_CONCURRENT_CALLS * 8)
        .total_memories(MAX_CONCURRENT_CALLS * 2)
        .total_tables(MAX_CONCURRENT_CALLS * 4)
        .max_core_instances_per_component(32)
        .max_memory_size(MAX_MEMORY_MIB as usize * 1024 * 1024);
    // A finished instance's memory and tables are set back with `memset` over the pages it
    // touched (found with Linux's PAGEMAP_SCAN, 6.7 and later), not handed back with
    // `madvise`: every `madvise` flushed the TLB of each core, and the next call faulted its
    // pages in again. That was two thirds of a hook call (31 µs -> 10.5 µs, see
    // docs/benchmarks.md). The next instance still starts from the module's own image.
    pool.linear_memory_keep_resident(KEEP_RESIDENT_MEMORY)
        .table_keep_resident(KEEP_RESIDENT_TABLE)
        .pagemap_scan(Enabled::Auto);
    let mut config = Config::new();
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    config.wasm_component_model(true);
    config.consume_fuel(true);
    config.epoch_interruption(true);
    // A plugin must never bring the host down through deep recursion.
    config.max_wasm_stack(1024 * 1024);
    let engine = Engine::new(&config)?;
    let weak = engine.weak();
    std::thread::Builder::new().name("pos-host-epoch".into()).spawn(move || {
        while let Some(engine) = weak.upgrade() {
            engine.increment_epoch();
            drop(engine);
            std::thread::sleep(EPOCH_TICK);
        }
    })?;
    Ok(engine)
}
