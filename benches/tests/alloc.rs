//! The generated `validate()` does not touch the heap for a valid input
//! (issue 5, bench 1's allocation target), proven with a counting global
//! allocator. Only allocations made by this test's thread are counted, so
//! the test harness's own threads cannot disturb the figure.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use seedance_benches::fixtures;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counter is a const-initialized thread-local that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap allocations made by `f` on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = std::hint::black_box(f());
    (ALLOCATIONS.with(Cell::get) - before, value)
}

#[test]
fn valid_inputs_validate_without_allocating() {
    let aiml = fixtures::aimlapi_valid();
    let lite_i2v = fixtures::lite_i2v_valid();
    let lite_r2v = fixtures::lite_r2v_valid();
    let pro_i2v = fixtures::pro_i2v_valid();
    let wavespeed = fixtures::wavespeed_valid();
    let results = [
        ("aimlapi_lite_i2v", allocations(|| aiml.validate().is_ok())),
        (
            "runcomfy_lite_i2v",
            allocations(|| lite_i2v.validate().is_ok()),
        ),
        (
            "runcomfy_lite_r2v",
            allocations(|| lite_r2v.validate().is_ok()),
        ),
        (
            "runcomfy_pro_i2v",
            allocations(|| pro_i2v.validate().is_ok()),
        ),
        (
            "wavespeed_lite_r2v",
            allocations(|| wavespeed.validate().is_ok()),
        ),
    ];
    for (model, (count, ok)) in results {
        assert!(ok, "{model}: the fixture is valid");
        assert_eq!(
            count, 0,
            "{model}: validate() allocated {count} times on a valid input"
        );
    }
}

#[test]
fn the_counter_sees_the_invalid_path_allocate() {
    let invalid = fixtures::wavespeed_invalid();
    let (count, ok) = allocations(|| invalid.validate().is_ok());
    assert!(!ok);
    assert!(
        count > 0,
        "the invalid path builds violations, so it must allocate"
    );
}
