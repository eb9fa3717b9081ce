//! GPU ↔ CPU parity of the `vorticity` family: `vorticity_fields`, `vorticity_nonlinear`,
//! `vorticity_rhs` (`src/ops/vorticity.wgsl`), plus closed-form checks of the CPU
//! reference (no GPU needed).
//!
//! Every GPU case uploads fresh seeded random inputs (never zero) rounded to f32, runs
//! the op on the GPU and on `CpuExecutor` (f64 on the same f32-rounded inputs for the
//! accuracy checks, f32 for the bit-exact ones), with output buffers poisoned and longer
//! than the op writes (the tail must stay poisoned). Sizes N = 2, 4, 16, 64, 256, and
//! 512 on non-CPU devices.
//!
//! Tolerances (`u = 2⁻²⁴` the f32 unit roundoff; every bound below is ≤ 1e-6 relative
//! to a per-element scale that is itself ≤ the field's max magnitude, so each check is at
//! least as strict as "1e-6 of the field's max"):
//!
//! * `vorticity_fields`: per mode `|Δ| ≤ 1e-6·|f(k)·ω̂|` (complex moduli). The
//!   integer wavenumbers are exact in f32; kinds 0 and 2 divide once (`1/|k|²`, ≤ 2.5 ulp
//!   on Vulkan) and multiply once more, so the factor carries ≤ 3.5u; the complex
//!   product adds ≤ 3u relative to `|f|·|ω̂| = |f·ω̂|` (two products and a sum per part,
//!   with or without FMA contraction): ≤ 6.5u ≈ 3.9e-7. Kinds 1 and 3 only have the
//!   product's ≤ 3u. Kind 3 (`−|k|²`, imaginary factor 0) is one f32 multiply in the
//!   reference's order (`re·f − im·0`, also under FMA), so it must be bit-identical to the
//!   f32 CPU reference; the k = 0 mode of every kind must be exactly 0.
//! * `vorticity_nonlinear`: per grid point `|Δ| ≤ 1e-6·(|u·∂xω| + |v·∂yω| + |T|)`,
//!   `T = 2c·sqrt(S11² + S12²)·∇²ω` (the condition scale: the advection's sum may
//!   cancel). Advection: two products and a sum, ≤ 2u of the scale. Smagorinsky: the
//!   shader reads `coeff_hi` only (≤ u/2 from `hi + lo`), the squares and their sum
//!   ≤ 2u, halved by sqrt, plus sqrt's own error (WGSL: inherited from inverseSqrt,
//!   2 ulp, ≤ 3u), two products and the final sum ≤ 3u: ≤ 8.5u ≈ 5.1e-7. The imaginary
//!   parts must be exactly 0; with `smagorinsky = 0` the strain and Laplacian bindings
//!   (random, large) must not matter.
//! * `vorticity_rhs`: per mode and part `|Δ| ≤ 1e-6·(|D·N| + |d·ω̂| + |F|)`,
//!   `d = ν|k|² + μ`. The shader reads `nu_hi`, `drag_hi` (≤ u/2 each), `ν·|k|²` and
//!   `+ μ` round (≤ 2u), `d·ω̂` rounds (u), the two sums round (≤ 2u of the scale):
//!   ≤ 5.5u ≈ 3.3e-7. The dealias mask is checked exactly by its own test: with ω̂ = F̂ = 0
//!   and a nonlinear term of magnitude ~1e30, modes outside the 2/3 square (decided here
//!   in integers, independently of both executors) are exactly 0 and modes inside are
//!   bit-identical to the f32 CPU reference, which must pass the input through unchanged.

use dashi_core::ops::testing::{self, Buf, POISON_REAL};
use dashi_core::ops::*;
use dashi_core::random::SplitMix64;
use dashi_core::spectral::{Complex, Fft2Planner};
use dashi_gpu::gpu_or_skip;
use dashi_les::ops::*;

/// Poisoned reals past every output that must keep their poison: the harness's
/// [`testing::TAIL`] plus extra ones of the output buffer itself.
const TAIL: usize = 5;
const TOL: f64 = 1e-6;

fn sizes(gpu: &dashi_gpu::GpuExecutor) -> Vec<usize> {
    let mut v = vec![2, 4, 16, 64, 256];
    if gpu.device().device_type != DeviceType::Cpu {
        v.push(512);
    }
    v
}

/// `len` uniform reals in ±scale·[0.5, 1.5] with random signs, rounded to f32: never zero.
fn random_field(g: &mut SplitMix64, len: usize) -> Vec<f64> {
    let scale = [1e-3, 1.0, 1e3][g.below(3) as usize];
    random_scaled(g, len, scale)
}

fn random_scaled(g: &mut SplitMix64, len: usize, scale: f64) -> Vec<f64> {
    (0..len)
        .map(|_| {
            let v = g.uniform(0.5, 1.5) * scale * if g.below(2) == 0 { -1.0 } else { 1.0 };
            f64::from(v as f32)
        })
        .collect()
}

/// Signed wavenumber of index `i` on an `n`-point axis (`fftfreq(n)·n`).
fn wavenumber(i: usize, n: usize) -> i64 {
    if i < n / 2 { i as i64 } else { i as i64 - n as i64 }
}

/// Whether the 2/3 rule keeps `(kx, ky)`: `3|kx| ≤ n ∧ 3|ky| ≤ n`, in integers.
fn keeps(ix: usize, iy: usize, n: usize) -> bool {
    3 * wavenumber(ix, n).unsigned_abs() <= n as u64 && 3 * wavenumber(iy, n).unsigned_abs() <= n as u64
}

/// Runs `op` through the harness ([`testing::run`]) with each of `inputs` in its own
/// buffer (which must come back unchanged) and a last binding of `out_len` poisoned
/// reals plus poisoned slack, so that [`TAIL`] reals past the output must stay poisoned;
/// returns the first `out_len` values.
fn run_op<E: Executor>(
    exec: &mut E,
    op: &'static OpSpec,
    inputs: &[&[f64]],
    out_len: usize,
    params: &[u8],
    what: &str,
) -> Vec<f64> {
    let slack = TAIL - testing::TAIL;
    let mut bufs: Vec<Buf> = inputs.iter().map(|x| Buf::Real(x.to_vec())).collect();
    bufs.push(Buf::poison_real(out_len + slack));
    let out = testing::run(exec, op, &bufs, params).unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut got = out.last().unwrap().reals().to_vec();
    assert!(got[out_len..].iter().all(|&v| v == POISON_REAL), "{what}: wrote past its output");
    got.truncate(out_len);
    got
}

/// This crate's families (`dashi_les::ops::FAMILIES`): each assembled module validates
/// with naga and every op's entry point agrees with its spec (reflection; no device).
#[test]
fn vorticity_families_agree_with_their_specs() {
    for family in dashi_les::ops::FAMILIES {
        assert!(!family.ops.is_empty(), "family {} has no op", family.name);
        dashi_gpu::reflect::check_family(family).unwrap_or_else(|e| panic!("{}: {e}", family.name));
    }
}

#[test]
fn vorticity_fields_match_the_cpu_reference() {
    let Some(mut gpu) = gpu_or_skip("vorticity_fields_match_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(51);
    let mut worst = [0.0f64; 4];
    let mut bit_exact = [true; 4];
    for n in sizes(&gpu) {
        let len = 2 * n * n;
        for kind in 0..4u32 {
            let x = random_field(&mut g, len);
            let params = VorticityFieldParams::new(n as u32, kind);
            let bytes = bytemuck::bytes_of(&params);
            let what = format!("vorticity_fields n={n} kind={kind}");
            let got = run_op(&mut gpu, &VORTICITY_FIELDS, &[&x], len, bytes, &what);
            let want64 = run_op(&mut CpuExecutor::new(Precision::F64), &VORTICITY_FIELDS, &[&x], len, bytes, &what);
            let want32 = run_op(&mut CpuExecutor::new(Precision::F32), &VORTICITY_FIELDS, &[&x], len, bytes, &what);
            bit_exact[kind as usize] &= got == want32;
            if kind == VorticityFieldParams::LAPLACIAN
                && let Some(i) = (0..len).find(|&i| got[i] != want32[i])
            {
                panic!("{what}: not bit-exact at {i}: {} vs {}", got[i], want32[i]);
            }
            for m in 0..n * n {
                let (gr, gi, wr, wi) = (got[2 * m], got[2 * m + 1], want64[2 * m], want64[2 * m + 1]);
                let scale = wr.hypot(wi);
                if m == 0 {
                    assert!(scale == 0.0 && gr == 0.0 && gi == 0.0, "{what}: k = 0 gives ({gr}, {gi}), want 0");
                    continue;
                }
                assert!(scale > 0.0, "{what}: mode {m} of the reference is 0");
                let rel = (gr - wr).hypot(gi - wi) / scale;
                worst[kind as usize] = worst[kind as usize].max(rel);
                assert!(rel <= TOL, "{what}: mode {m} ({gr}, {gi}) vs ({wr}, {wi}): rel error {rel:.3e}");
            }
        }
    }
    let worst: Vec<String> = worst.iter().map(|w| format!("{w:.2e}")).collect();
    println!("vorticity_fields worst per-mode relative error by kind 0..3: {worst:?}");
    println!("vorticity_fields bit-identical to the f32 CPU reference by kind 0..3: {bit_exact:?}");
}

#[test]
fn vorticity_nonlinear_matches_the_cpu_reference() {
    let Some(mut gpu) = gpu_or_skip("vorticity_nonlinear_matches_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(52);
    let labels = ["advection", "smag (0.17·2π/n)²", "smag coeff=0", "smag coeff=0.37"];
    let mut worst = [0.0f64; 4];
    for n in sizes(&gpu) {
        let len = 2 * n * n;
        // None: advection only; Some(c): with the Smagorinsky term, (Cs·Δ)² = c.
        let coeffs = [None, Some((0.17 * 2.0 * std::f64::consts::PI / n as f64).powi(2)), Some(0.0), Some(0.37)];
        for (c, (&label, coeff)) in labels.iter().zip(coeffs).enumerate() {
            let fields: Vec<Vec<f64>> = (0..4).map(|_| random_field(&mut g, len)).collect();
            let inputs: Vec<&[f64]> = fields.iter().map(|f| f.as_slice()).collect();
            let params = match coeff {
                None => NonlinearParams::advection(n as u32),
                Some(coeff) => NonlinearParams::smagorinsky(n as u32, coeff),
            };
            let bytes = bytemuck::bytes_of(&params);
            let what = format!("vorticity_nonlinear n={n} {label}");
            let got = run_op(&mut gpu, &VORTICITY_NONLINEAR, &inputs, len, bytes, &what);
            let want = run_op(&mut CpuExecutor::new(Precision::F64), &VORTICITY_NONLINEAR, &inputs, len, bytes, &what);
            let [u, w, s, l] = [&fields[0], &fields[1], &fields[2], &fields[3]];
            for j in 0..n * n {
                let at = 2 * j;
                assert!(got[at + 1] == 0.0 && want[at + 1] == 0.0, "{what}: imaginary part at {j} not 0");
                let smag = coeff.map_or(0.0, |c| (2.0 * c * s[at].hypot(s[at + 1]) * l[at]).abs());
                let scale = (u[at] * w[at]).abs() + (u[at + 1] * w[at + 1]).abs() + smag;
                if coeff.is_none() {
                    // Independent of the strain and Laplacian inputs.
                    let direct = -(u[at] * w[at] + u[at + 1] * w[at + 1]);
                    assert!((want[at] - direct).abs() <= 1e-15 * scale, "{what}: CPU reference read the strain");
                }
                let rel = (got[at] - want[at]).abs() / scale;
                worst[c] = worst[c].max(rel);
                assert!(rel <= TOL, "{what}: point {j}: {} vs {} (rel to scale {rel:.3e})", got[at], want[at]);
            }
        }
    }
    let worst: Vec<String> = labels.iter().zip(worst).map(|(l, w)| format!("{l}: {w:.2e}")).collect();
    println!("vorticity_nonlinear worst per-point error / condition scale: {worst:?}");
}

#[test]
fn vorticity_rhs_matches_the_cpu_reference() {
    let Some(mut gpu) = gpu_or_skip("vorticity_rhs_matches_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(53);
    // ν and μ not representable in f32, so the hi/lo split matters to the f64 reference.
    let cases: [(f64, f64); 4] = [(1e-2 / 3.0, 0.1), (0.0, 0.0), (0.37, 0.0), (0.0, 2.5 / 3.0)];
    let mut worst = [0.0f64; 4];
    for n in sizes(&gpu) {
        let len = 2 * n * n;
        for (c, &(nu, drag)) in cases.iter().enumerate() {
            let (omega, nonlinear, forcing) =
                (random_field(&mut g, len), random_field(&mut g, len), random_field(&mut g, len));
            let params = VorticityRhsParams::new(n as u32, nu, drag);
            let bytes = bytemuck::bytes_of(&params);
            let what = format!("vorticity_rhs n={n} nu={nu} drag={drag}");
            let inputs: [&[f64]; 3] = [&omega, &nonlinear, &forcing];
            let got = run_op(&mut gpu, &VORTICITY_RHS, &inputs, len, bytes, &what);
            let want = run_op(&mut CpuExecutor::new(Precision::F64), &VORTICITY_RHS, &inputs, len, bytes, &what);
            for iy in 0..n {
                for ix in 0..n {
                    let (kx, ky) = (wavenumber(ix, n) as f64, wavenumber(iy, n) as f64);
                    let damping = nu * (kx * kx + ky * ky) + drag;
                    let keep = if keeps(ix, iy, n) { 1.0 } else { 0.0 };
                    for part in 0..2 {
                        let at = 2 * (iy * n + ix) + part;
                        let scale = keep * nonlinear[at].abs() + damping * omega[at].abs() + forcing[at].abs();
                        let direct = keep * nonlinear[at] - damping * omega[at] + forcing[at];
                        assert!((want[at] - direct).abs() <= 1e-14 * scale, "{what}: CPU reference off at {at}");
                        let rel = (got[at] - want[at]).abs() / scale;
                        worst[c] = worst[c].max(rel);
                        assert!(
                            rel <= TOL,
                            "{what}: ({kx}, {ky}) part {part}: {} vs {} ({rel:.3e})",
                            got[at],
                            want[at]
                        );
                    }
                }
            }
        }
    }
    let worst: Vec<String> =
        cases.iter().zip(worst).map(|((nu, mu), w)| format!("nu={nu:.3e} mu={mu:.3e}: {w:.2e}")).collect();
    println!("vorticity_rhs worst per-element error / condition scale: {worst:?}");
}

/// ω̂ = F̂ = 0 and a nonlinear term of magnitude ~1e30: outside the 2/3 square exactly
/// 0, inside bit-equal to the f32 CPU reference, which passes the input through.
#[test]
fn vorticity_rhs_dealias_mask_is_exact() {
    let Some(mut gpu) = gpu_or_skip("vorticity_rhs_dealias_mask_is_exact") else { return };
    let mut g = SplitMix64::new(54);
    for n in sizes(&gpu) {
        let len = 2 * n * n;
        let zeros = vec![0.0; len];
        let nonlinear = random_scaled(&mut g, len, 1e30);
        let params = VorticityRhsParams::new(n as u32, 0.01, 0.5);
        let bytes = bytemuck::bytes_of(&params);
        let what = format!("vorticity_rhs mask n={n}");
        let inputs: [&[f64]; 3] = [&zeros, &nonlinear, &zeros];
        let got = run_op(&mut gpu, &VORTICITY_RHS, &inputs, len, bytes, &what);
        let want32 = run_op(&mut CpuExecutor::new(Precision::F32), &VORTICITY_RHS, &inputs, len, bytes, &what);
        let mut kept = 0;
        for iy in 0..n {
            for ix in 0..n {
                let at = 2 * (iy * n + ix);
                let keep = keeps(ix, iy, n);
                kept += usize::from(keep);
                for at in [at, at + 1] {
                    if keep {
                        assert_eq!(want32[at].to_bits(), nonlinear[at].to_bits(), "{what}: CPU f32 changed {at}");
                        assert_eq!(got[at].to_bits(), want32[at].to_bits(), "{what}: GPU differs inside at {at}");
                    } else {
                        assert_eq!(want32[at], 0.0, "{what}: CPU f32 leaks at ({ix}, {iy})");
                        assert_eq!(got[at], 0.0, "{what}: GPU leaks {} at ({ix}, {iy})", got[at]);
                    }
                }
            }
        }
        let per_axis = 2 * (n / 3) + 1;
        assert_eq!(kept, per_axis * per_axis, "{what}: kept modes");
    }
}

/// Out-of-domain parameters are `InvalidParams` on both executors, before anything runs.
#[test]
fn vorticity_parameter_domains_are_enforced() {
    let n = 16u32;
    let len = 2 * (n * n) as usize;
    let check = |exec: &mut dyn Executor, label: &str| {
        let bufs: Vec<BufferId> = (0..5).map(|_| exec.alloc(ElemType::Real, len).unwrap()).collect();
        for b in &bufs {
            exec.upload_real(*b, &vec![1.0; len]).unwrap();
        }
        let mut bad_nonlinear = NonlinearParams::smagorinsky(n, 0.1);
        bad_nonlinear.smagorinsky = 2;
        let mut negative_coeff = NonlinearParams::smagorinsky(n, 0.1);
        negative_coeff.coeff_hi = -0.1;
        let cases: Vec<(&'static OpSpec, Vec<u8>, usize)> = vec![
            (&VORTICITY_FIELDS, bytemuck::bytes_of(&VorticityFieldParams::new(n, 4)).to_vec(), 2),
            (&VORTICITY_FIELDS, bytemuck::bytes_of(&VorticityFieldParams::new(24, 0)).to_vec(), 2),
            (&VORTICITY_NONLINEAR, bytemuck::bytes_of(&bad_nonlinear).to_vec(), 5),
            (&VORTICITY_NONLINEAR, bytemuck::bytes_of(&negative_coeff).to_vec(), 5),
            (&VORTICITY_NONLINEAR, bytemuck::bytes_of(&NonlinearParams::smagorinsky(n, f64::NAN)).to_vec(), 5),
            (&VORTICITY_RHS, bytemuck::bytes_of(&VorticityRhsParams::new(n, -1e-3, 0.0)).to_vec(), 4),
            (&VORTICITY_RHS, bytemuck::bytes_of(&VorticityRhsParams::new(n, 0.0, f64::NAN)).to_vec(), 4),
            (&VORTICITY_RHS, bytemuck::bytes_of(&VorticityRhsParams::new(n, f64::INFINITY, 0.0)).to_vec(), 4),
        ];
        for (op, params, count) in cases {
            match exec.enqueue(op, &bufs[..count], &params) {
                Err(ExecError::InvalidParams { op: name, .. }) => assert_eq!(name, op.name),
                other => panic!("{label} {}: {params:?} gave {other:?}", op.name),
            }
        }
        // The valid neighbours are accepted (the checks above are not vacuous).
        let good: [(&'static OpSpec, Vec<u8>, usize); 3] = [
            (&VORTICITY_FIELDS, bytemuck::bytes_of(&VorticityFieldParams::new(n, 3)).to_vec(), 2),
            (&VORTICITY_NONLINEAR, bytemuck::bytes_of(&NonlinearParams::smagorinsky(n, 0.0)).to_vec(), 5),
            (&VORTICITY_RHS, bytemuck::bytes_of(&VorticityRhsParams::new(n, 0.0, 0.0)).to_vec(), 4),
        ];
        for (op, params, count) in good {
            exec.enqueue(op, &bufs[..count], &params).unwrap_or_else(|e| panic!("{label} {}: {e}", op.name));
        }
        exec.flush().unwrap();
        for b in bufs {
            exec.free(b).unwrap();
        }
    };
    check(&mut CpuExecutor::new(Precision::F64), "CPU");
    if let Some(mut gpu) = gpu_or_skip("vorticity_parameter_domains_are_enforced (GPU part)") {
        check(&mut gpu, "GPU");
    }
}

// ---------------------------------------------------------------------------------------
// Closed forms on the CPU executor (no GPU).

/// Fourier cosine coefficient `b_m` of `|cos θ|·cos θ = Σ_{m odd ≥ 1} b_m cos(mθ)`:
/// `b_m = (2/π)∫_{−π/2}^{π/2} cos²θ·cos(mθ) dθ = 8·(−1)^((m−1)/2) / (π·m·(4 − m²))`.
fn abs_cos_cos_coefficient(m: i64) -> f64 {
    let m = m.unsigned_abs();
    assert!(m % 2 == 1);
    let sign = if (m / 2).is_multiple_of(2) { 1.0 } else { -1.0 };
    let m = m as f64;
    8.0 * sign / (std::f64::consts::PI * m * (4.0 - m * m))
}

/// The DFT weight of residue class `r` (mod `n`) when `|cos θ|·cos θ` is sampled with
/// θ on multiples of 2π/n: every harmonic `m ≡ r (mod n)` (both signs of m, each half of
/// its cosine) lands on the same grid wave, so the coefficient of `e^{i r θ}` is
/// `½ Σ_{m ≡ r} b_|m|` (m odd; the tail beyond |m| = J·n is < 8/(π n³ J²)).
fn aliased_weight(r: i64, n: i64) -> f64 {
    const J: i64 = 1_000_000;
    // Smallest terms first; m = r + j·n is odd for every j (r odd, n even).
    let mut sum = 0.0;
    for j in (1..=J).rev() {
        sum += abs_cos_cos_coefficient(r + j * n) + abs_cos_cos_coefficient(r - j * n);
    }
    0.5 * (sum + abs_cos_cos_coefficient(r))
}

/// The closed form of a packed field `a + i·b` as a function of θ.
type PackedField = fn(f64) -> (f64, f64);

fn to_complex(x: &[f64]) -> Vec<Complex<f64>> {
    x.chunks_exact(2).map(|c| Complex::new(c[0], c[1])).collect()
}

fn interleave(z: &[Complex<f64>]) -> Vec<f64> {
    z.iter().flat_map(|c| [c.re, c.im]).collect()
}

fn cpu_run(op: &'static OpSpec, inputs: &[&[f64]], params: &[u8]) -> Vec<f64> {
    let len = inputs[0].len();
    run_op(&mut CpuExecutor::new(Precision::F64), op, inputs, len, params, op.name)
}

/// ω = cos θ, θ = 3x + 2y (|k|² = 13) on N = 16: `vorticity_fields` then an inverse FFT
/// gives ψ = cos θ/13, u = ∂yψ = −(2/13) sin θ, v = −∂xψ = (3/13) sin θ; ∂xω = −3 sin θ,
/// ∂yω = −2 sin θ; S11 = ∂xu = −(6/13) cos θ, S12 = (∂yu + ∂xv)/2 = (5/26) cos θ;
/// ∇²ω = −13 cos θ. Then `vorticity_nonlinear` with the closure: the advection of one
/// mode vanishes and |S| = 2·sqrt(S11² + S12²) = |cos θ|, so the term is
/// −13c·|cos θ|·cos θ; `vorticity_rhs` of its FFT must equal the aliased Fourier series of
/// that (harmonic 7 of θ lands on the kept mode (5, −2) at N = 16), dealiased, minus
/// (13ν + μ)·ω̂ plus F̂ (F = sin x).
#[test]
fn vorticity_ops_match_closed_forms_on_the_cpu() {
    let n = 16usize;
    let h = 2.0 * std::f64::consts::PI / n as f64;
    let theta = |i: usize| 3.0 * (i % n) as f64 * h + 2.0 * (i / n) as f64 * h;
    let fft = Fft2Planner::<f64>::new().plan_n(n).unwrap();
    let omega: Vec<Complex<f64>> = (0..n * n).map(|i| Complex::new(theta(i).cos(), 0.0)).collect();
    let omega_hat = interleave(&fft.fft2(&omega).unwrap());
    let mut real_space = Vec::new();
    let expected: [(&str, PackedField); 4] = [
        ("velocity", |t| (-2.0 / 13.0 * t.sin(), 3.0 / 13.0 * t.sin())),
        ("gradient", |t| (-3.0 * t.sin(), -2.0 * t.sin())),
        ("strain", |t| (-6.0 / 13.0 * t.cos(), 5.0 / 26.0 * t.cos())),
        ("laplacian", |t| (-13.0 * t.cos(), 0.0)),
    ];
    for (kind, (label, want)) in expected.iter().enumerate() {
        let params = VorticityFieldParams::new(n as u32, kind as u32);
        let spectrum = cpu_run(&VORTICITY_FIELDS, &[&omega_hat], bytemuck::bytes_of(&params));
        let field = fft.ifft2(&to_complex(&spectrum)).unwrap();
        let (mut err, mut scale) = (0.0f64, 0.0f64);
        for (i, z) in field.iter().enumerate() {
            let (a, b) = want(theta(i));
            err = err.max((z.re - a).abs()).max((z.im - b).abs());
            scale = scale.max(a.abs()).max(b.abs());
        }
        println!("closed form {label}: max |error| = {err:.2e} (max |field| = {scale:.3})");
        assert!(err <= 1e-13 * scale, "{label}: max |error| {err:.3e}");
        real_space.push(interleave(&field));
    }
    let coeff = 0.01;
    let inputs: Vec<&[f64]> = real_space.iter().map(|f| f.as_slice()).collect();
    let params = NonlinearParams::smagorinsky(n as u32, coeff);
    let nonlinear = cpu_run(&VORTICITY_NONLINEAR, &inputs, bytemuck::bytes_of(&params));
    let err = (0..n * n)
        .map(|i| {
            let c = theta(i).cos();
            (nonlinear[2 * i] + 13.0 * coeff * c.abs() * c).abs().max(nonlinear[2 * i + 1].abs())
        })
        .fold(0.0, f64::max);
    println!("closed form Smagorinsky term of one mode: max |error| = {err:.2e}");
    assert!(err <= 1e-13, "Smagorinsky term: max |error| {err:.3e}");

    let (nu, drag) = (0.02, 0.3);
    let nonlinear_hat = interleave(&fft.fft2(&to_complex(&nonlinear)).unwrap());
    let forcing: Vec<Complex<f64>> = (0..n * n).map(|i| Complex::new(((i % n) as f64 * h).sin(), 0.0)).collect();
    let forcing_hat = interleave(&fft.fft2(&forcing).unwrap());
    let params = VorticityRhsParams::new(n as u32, nu, drag);
    let rhs = cpu_run(&VORTICITY_RHS, &[&omega_hat, &nonlinear_hat, &forcing_hat], bytemuck::bytes_of(&params));
    // Expected spectrum: residue r of θ's harmonics sits at (3r, 2r) mod n.
    let nn = (n * n) as f64;
    let mut want = vec![Complex::new(0.0, 0.0); n * n];
    for r in 0..n as i64 {
        if r % 2 == 0 {
            continue;
        }
        let (ix, iy) = ((3 * r).rem_euclid(n as i64) as usize, (2 * r).rem_euclid(n as i64) as usize);
        if keeps(ix, iy, n) {
            want[iy * n + ix].re += -13.0 * coeff * nn * aliased_weight(r, n as i64);
        }
    }
    for (ix, iy) in [(3, 2), (n - 3, n - 2)] {
        want[iy * n + ix].re -= (13.0 * nu + drag) * nn / 2.0;
    }
    want[1].im -= nn / 2.0;
    want[n - 1].im += nn / 2.0;
    let kept_alias = want[(n - 2) * n + 5].re.abs();
    assert!(kept_alias > 1e-3, "harmonic 7 on mode (5, -2): {kept_alias}");
    let err = (0..n * n).map(|m| (rhs[2 * m] - want[m].re).hypot(rhs[2 * m + 1] - want[m].im)).fold(0.0, f64::max);
    println!(
        "closed form rhs (aliased, dealiased Smagorinsky term + damping + forcing): max |error| = {err:.2e} (N² = {nn})"
    );
    assert!(err <= 1e-14 * nn, "rhs: max |error| {err:.3e}");
}

/// ω = a cos x + b cos 2y: ψ = a cos x + (b/4) cos 2y, u = ∂yψ = −(b/2) sin 2y,
/// v = −∂xψ = a sin x, ∂xω = −a sin x, ∂yω = −2b sin 2y, so
/// −(u·∂xω + v·∂yω) = −(ab/2 − 2ab)·sin x·sin 2y = (3/2)·a·b·sin x·sin 2y.
#[test]
fn vorticity_advection_of_two_modes_matches_its_closed_form_on_the_cpu() {
    let (n, a, b) = (16usize, 0.7, -1.3);
    let h = 2.0 * std::f64::consts::PI / n as f64;
    let at = |i: usize| ((i % n) as f64 * h, (i / n) as f64 * h);
    let fft = Fft2Planner::<f64>::new().plan_n(n).unwrap();
    let omega: Vec<Complex<f64>> =
        (0..n * n).map(|i| Complex::new(a * at(i).0.cos() + b * (2.0 * at(i).1).cos(), 0.0)).collect();
    let omega_hat = interleave(&fft.fft2(&omega).unwrap());
    let fields: Vec<Vec<f64>> = [VorticityFieldParams::VELOCITY, VorticityFieldParams::GRADIENT]
        .iter()
        .map(|&kind| {
            let params = VorticityFieldParams::new(n as u32, kind);
            let spectrum = cpu_run(&VORTICITY_FIELDS, &[&omega_hat], bytemuck::bytes_of(&params));
            interleave(&fft.ifft2(&to_complex(&spectrum)).unwrap())
        })
        .collect();
    // Strain and Laplacian slots hold garbage: advection only must ignore them.
    let garbage = vec![1e6; 2 * n * n];
    let params = NonlinearParams::advection(n as u32);
    let nonlinear =
        cpu_run(&VORTICITY_NONLINEAR, &[&fields[0], &fields[1], &garbage, &garbage], bytemuck::bytes_of(&params));
    let err = (0..n * n)
        .map(|i| (nonlinear[2 * i] - 1.5 * a * b * at(i).0.sin() * (2.0 * at(i).1).sin()).abs())
        .fold(0.0, f64::max);
    println!("closed form advection of two modes: max |error| = {err:.2e}");
    assert!(err <= 1e-13, "advection: max |error| {err:.3e}");
}
