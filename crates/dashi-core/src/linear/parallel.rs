//! [`ParallelStepper`]: one rollout step split over two cores by output columns.
//!
//! Why: at D = 654 the f64 matrix (3.4 MB) does not fit one core's L2 cache (2 MB on
//! the reference machine), so a single-threaded step streams A from L3 every time.
//! Splitting the *columns* of `z·A` between two threads gives each a 1.7 MB slice of
//! every row that stays resident in its own L2 across steps. Each output column is
//! still summed in ascending `i` by the same kernel, so the result is bit-identical to
//! the serial step — only faster.
//!
//! How: one persistent worker thread and a generation counter. The caller publishes
//! the input state and bumps `go`; the worker computes columns `split..D` while the
//! caller computes `0..split`, then bumps `done`. Waiting is a spin (the two halves
//! take the same time); an idle worker parks after a short spin so a stepper kept
//! around does not burn a core.

use super::gemv::gemv_row_range;
use super::{LinearOperator, Step};
use crate::scalar::Real;
use std::cell::UnsafeCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

/// Spins before an idle worker parks (about tens of microseconds).
const SPINS_BEFORE_PARK: u32 = 1 << 14;

struct Shared<T> {
    a: Vec<T>,
    d: usize,
    split: usize,
    /// Input state; written by the caller only while the worker is idle.
    z: UnsafeCell<Vec<T>>,
    /// Worker's output columns `split..d`; read by the caller only after `done`.
    out: UnsafeCell<Vec<T>>,
    go: AtomicU64,
    done: AtomicU64,
    quit: AtomicBool,
}

// SAFETY: access to the UnsafeCells is serialised by the go/done protocol above:
// the caller touches `z` and `out` only when `done == go` (worker idle), the worker
// only between observing a new `go` and publishing `done` (Release/Acquire pairs).
unsafe impl<T: Send> Sync for Shared<T> {}

/// A two-thread row-vector stepper, bit-identical to [`LinearOperator`]'s own step.
pub struct ParallelStepper<T: Real = f64> {
    shared: Arc<Shared<T>>,
    worker: Option<JoinHandle<()>>,
    generation: u64,
}

impl<T: Real> std::fmt::Debug for ParallelStepper<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParallelStepper").field("d", &self.shared.d).field("split", &self.shared.split).finish()
    }
}

impl<T: Real> ParallelStepper<T> {
    /// Spawns the worker; the caller's half is the first `⌈D/2⌉` columns.
    pub fn new(op: &LinearOperator<T>) -> std::io::Result<Self> {
        let d = op.dim();
        let split = d.div_ceil(2);
        let shared = Arc::new(Shared {
            a: op.as_slice().to_vec(),
            d,
            split,
            z: UnsafeCell::new(vec![T::ZERO; d]),
            out: UnsafeCell::new(vec![T::ZERO; d - split]),
            go: AtomicU64::new(0),
            done: AtomicU64::new(0),
            quit: AtomicBool::new(false),
        });
        let theirs = Arc::clone(&shared);
        let worker = std::thread::Builder::new().name("dashi-gemv".into()).spawn(move || work(&theirs))?;
        Ok(ParallelStepper { shared, worker: Some(worker), generation: 0 })
    }
}

fn work<T: Real>(s: &Shared<T>) {
    let mut seen = 0u64;
    let mut spins = 0u32;
    loop {
        let g = s.go.load(Ordering::Acquire);
        if g == seen {
            spins = spins.saturating_add(1);
            if spins < SPINS_BEFORE_PARK {
                std::hint::spin_loop();
            } else {
                std::thread::park();
            }
            continue;
        }
        seen = g;
        spins = 0;
        if s.quit.load(Ordering::Acquire) {
            return;
        }
        // SAFETY: between a new `go` and our `done` store the caller does not touch
        // `z` or `out` (see `Shared`).
        let (z, out) = unsafe { (&*s.z.get(), &mut *s.out.get()) };
        gemv_row_range(z, &s.a, s.d, s.split, out);
        s.done.store(g, Ordering::Release);
    }
}

impl<T: Real> Step<T> for ParallelStepper<T> {
    fn dim(&self) -> usize {
        self.shared.d
    }

    fn step(&mut self, z: &[T], out: &mut [T]) {
        let s = &*self.shared;
        // SAFETY: the worker is idle (`done == go` since the last step returned).
        unsafe { (*s.z.get()).copy_from_slice(z) };
        self.generation += 1;
        s.go.store(self.generation, Ordering::Release);
        if let Some(w) = &self.worker {
            w.thread().unpark();
        }
        gemv_row_range(z, &s.a, s.d, 0, &mut out[..s.split]);
        let mut spins = 0u32;
        while s.done.load(Ordering::Acquire) != self.generation {
            // Spin (the halves take the same time), but give the core away if the
            // worker was descheduled — on an oversubscribed machine pure spinning
            // would starve it.
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(SPINS_BEFORE_PARK) {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
        // SAFETY: the worker published `done` for this generation and is idle again.
        out[s.split..].copy_from_slice(unsafe { &*s.out.get() });
    }
}

impl<T: Real> Drop for ParallelStepper<T> {
    fn drop(&mut self) {
        self.shared.quit.store(true, Ordering::Release);
        self.shared.go.store(self.generation + 1, Ordering::Release);
        if let Some(w) = self.worker.take() {
            w.thread().unpark();
            let _ = w.join();
        }
    }
}

/// The fastest step for an operator on this machine: [`ParallelStepper`] when the
/// matrix is large enough to gain from two caches and a second core exists, else the
/// serial kernel. Both give bit-identical states.
#[derive(Debug)]
pub enum Stepper<T: Real = f64> {
    /// Serial gemv.
    Serial(LinearOperator<T>),
    /// Two-thread column split.
    Parallel(ParallelStepper<T>),
}

/// Smallest D for which the two-thread split pays for its synchronisation
/// (measured: at D = 256 the halves take ~5 µs, well above the ~0.3 µs handshake).
pub const PARALLEL_MIN_DIM: usize = 256;

impl<T: Real> Stepper<T> {
    /// Chooses serial or parallel stepping for `op`.
    pub fn for_operator(op: &LinearOperator<T>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores >= 2
            && op.dim() >= PARALLEL_MIN_DIM
            && let Ok(p) = ParallelStepper::new(op)
        {
            return Stepper::Parallel(p);
        }
        Stepper::Serial(op.clone())
    }

    /// Whether the two-thread path is in use.
    pub fn is_parallel(&self) -> bool {
        matches!(self, Stepper::Parallel(_))
    }
}

impl<T: Real> Step<T> for Stepper<T> {
    fn dim(&self) -> usize {
        match self {
            Stepper::Serial(op) => op.dim(),
            Stepper::Parallel(p) => p.dim(),
        }
    }

    fn step(&mut self, z: &[T], out: &mut [T]) {
        match self {
            Stepper::Serial(op) => op.step(z, out),
            Stepper::Parallel(p) => p.step(z, out),
        }
    }
}
