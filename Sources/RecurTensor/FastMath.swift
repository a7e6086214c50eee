/// Fast, branch-free `exp`, `sigmoid` and `tanh` for `Float`, in a scalar and an 8-lane SIMD
/// form that compute the same operations in the same order (so a value does not depend on
/// whether it went through a vector chunk or a tail).
///
/// Accuracy (tested against libm over a dense grid and the extremes, FastMathTests):
/// - `exp`: Cody–Waite range reduction `x = n ln2 + r`, |r| ≤ ln2/2, and Cephes's degree-7
///   polynomial; relative error ≤ 1e-7 on [-87, 88] (measured 8e-8); x is clamped to [-87.3, 88.7].
/// - `sigmoid(x) = 1 / (1 + exp(-x))`: relative error ≤ 2e-7 (measured 1.5e-7) where the result is a normal
///   float; 0 below about -87 (libm gives values under 1e-38 there).
/// - `tanh`: an odd polynomial (Cephes `tanhf`) for |x| < 0.625, else `1 − 2 / (exp(2|x|) + 1)`
///   with the sign restored; relative error ≤ 2e-7 (measured 1.3e-7); exactly ±1 beyond |x| ≈ 9.
///
/// Why: the LSTM/GRU gate passes spent 25–35% of training time in libm's `expm1f` and
/// `tanhf` (perf, W2 and W3). The hot gate passes now run RecurKernels' C, which uses the same
/// range reduction and polynomials (KernelMathTests); the scalar forms here serve the layers'
/// other paths (`Activation`: Dense, SimpleRNN, other activations), the SIMD and buffer forms
/// Swift callers of the engine.
public enum FastMath {
    /// The vector type of the SIMD forms (two SSE registers on baseline x86-64, one AVX
    /// register where the compiler may use AVX; NEON pairs on arm64).
    public typealias Vector = SIMD8<Float>
    /// The integer vector of the same width (bit manipulation of the exponent).
    public typealias IntVector = SIMD8<Int32>

    @usableFromInline static let log2e: Float = 1.44269504088896341
    @usableFromInline static let ln2Hi: Float = 0.693359375
    @usableFromInline static let ln2Lo: Float = -2.12194440e-4
    /// 1.5 * 2^23: adding it rounds a float in [-2^22, 2^22] to an integer held in its low bits.
    @usableFromInline static let roundMagic: Float = 12_582_912
    @usableFromInline static let expMax: Float = 88.7
    @usableFromInline static let expMin: Float = -87.3
    @usableFromInline static let p0: Float = 1.9875691500e-4
    @usableFromInline static let p1: Float = 1.3981999507e-3
    @usableFromInline static let p2: Float = 8.3334519073e-3
    @usableFromInline static let p3: Float = 4.1665795894e-2
    @usableFromInline static let p4: Float = 1.6666665459e-1
    @usableFromInline static let p5: Float = 5.0000001201e-1
    @usableFromInline static let t0: Float = -5.70498872745e-3
    @usableFromInline static let t1: Float = 2.06390887954e-2
    @usableFromInline static let t2: Float = -5.37397155531e-2
    @usableFromInline static let t3: Float = 1.33314422036e-1
    @usableFromInline static let t4: Float = -3.33332819422e-1
    @usableFromInline static let tanhSmall: Float = 0.625

    // MARK: Scalar

    /// e^x (see the type's notes for accuracy and range).
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let xc = Swift.min(Swift.max(x, expMin), expMax)
        let nf = (xc * log2e + roundMagic) - roundMagic
        let r = (xc - nf * ln2Hi) - nf * ln2Lo
        var p = p0
        p = p * r + p1
        p = p * r + p2
        p = p * r + p3
        p = p * r + p4
        p = p * r + p5
        let e = p * (r * r) + r + 1
        // 2^n, built from its exponent bits. n is in [-126, 128]; split to stay in range.
        let n = Int32(nf)
        let half = n >> 1
        let s1 = Float(bitPattern: UInt32(bitPattern: (half + 127) << 23))
        let s2 = Float(bitPattern: UInt32(bitPattern: (n - half + 127) << 23))
        return e * s1 * s2
    }

    /// 1 / (1 + e^-x).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }

    /// tanh(x).
    @inlinable @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        let a = Swift.abs(x)
        let z = x * x
        var p = t0
        p = p * z + t1
        p = p * z + t2
        p = p * z + t3
        p = p * z + t4
        let small = p * z * x + x
        let e = exp(2 * Swift.min(a, 9.5))
        let large = 1 - 2 / (e + 1)
        let signed = x < 0 ? -large : large
        return a < tanhSmall ? small : signed
    }

    // MARK: SIMD

    /// e^x lane by lane.
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let xc = x.clamped(lowerBound: Vector(repeating: expMin), upperBound: Vector(repeating: expMax))
        let magic = Vector(repeating: roundMagic)
        let shifted = xc * log2e + magic
        let nf = shifted - magic
        let r = (xc - nf * ln2Hi) - nf * ln2Lo
        var p = Vector(repeating: p0)
        p = p * r + p1
        p = p * r + p2
        p = p * r + p3
        p = p * r + p4
        p = p * r + p5
        let e = p * (r * r) + r + 1
        // The integer n sits in the low mantissa bits of `shifted`.
        let bits = unsafeBitCast(shifted, to: IntVector.self) &- unsafeBitCast(magic, to: IntVector.self)
        let half = bits &>> 1
        let s1 = unsafeBitCast((half &+ 127) &<< 23, to: Vector.self)
        let s2 = unsafeBitCast((bits &- half &+ 127) &<< 23, to: Vector.self)
        return e * s1 * s2
    }

    /// 1 / (1 + e^-x) lane by lane.
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Vector) -> Vector {
        1 / (1 + exp(-x))
    }

    /// tanh(x) lane by lane.
    @inlinable @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        let zero = Vector(repeating: 0)
        let a = x.replacing(with: -x, where: x .< zero)
        let z = x * x
        var p = Vector(repeating: t0)
        p = p * z + t1
        p = p * z + t2
        p = p * z + t3
        p = p * z + t4
        let small = p * z * x + x
        let e = exp(2 * a.replacing(with: 9.5, where: a .> 9.5))
        let large = 1 - 2 / (e + 1)
        let signed = large.replacing(with: -large, where: x .< zero)
        return signed.replacing(with: small, where: a .< tanhSmall)
    }

    // MARK: Buffers

    /// Loads up to 8 floats (the rest zero).
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>, _ count: Int) -> Vector {
        if count >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }
        var v = Vector(repeating: 0)
        for k in 0..<count { v[k] = p[k] }
        return v
    }

    /// Stores the first `count` (up to 8) lanes.
    @inlinable @inline(__always)
    public static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count >= 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self); return }
        for k in 0..<count { p[k] = v[k] }
    }

    /// x[i] = sigmoid(x[i]) for i in 0..<n.
    public static func sigmoid(_ n: Int, _ x: UnsafeMutablePointer<Float>) {
        var i = 0
        while i < n {
            let c = Swift.min(8, n - i)
            store(sigmoid(load(x + i, c)), x + i, c)
            i += 8
        }
    }

    /// x[i] = tanh(x[i]) for i in 0..<n.
    public static func tanh(_ n: Int, _ x: UnsafeMutablePointer<Float>) {
        var i = 0
        while i < n {
            let c = Swift.min(8, n - i)
            store(tanh(load(x + i, c)), x + i, c)
            i += 8
        }
    }
}
