/// A smooth random field defined cell by cell: a uniform cubic B-spline over a lattice of
/// hashed values (value noise; Perlin 1985 popularized lattice noise, the B-spline basis is
/// from de Boor 1978).
///
/// The value at (column, row) depends only on the key, the spacing, the column and the row,
/// never on which part of the raster is being generated, so windows can be produced
/// independently and in parallel. Only `+`, `*` and integer hashing are used, so the field is
/// bit-identical on every machine.
struct SyntheticNoise: Sendable {
    /// Lattice spacing in cells.
    let spacing: Int
    let key: UInt64
    /// B-spline weights for each phase `p` in `0..<spacing` (cell centre at `(p + 0.5) / spacing`).
    let w0: [Float], w1: [Float], w2: [Float], w3: [Float]

    init(spacing: Int, key: UInt64) {
        precondition(spacing >= 1, "lattice spacing is at least one cell")
        self.spacing = spacing
        self.key = SyntheticNoise.mix(key)
        var a = [Float]()
        var b = [Float]()
        var c = [Float]()
        var d = [Float]()
        for p in 0..<spacing {
            let t = (Float(p) + 0.5) / Float(spacing)
            let (k0, k1, k2, k3) = SyntheticNoise.weights(t)
            a.append(k0)
            b.append(k1)
            c.append(k2)
            d.append(k3)
        }
        w0 = a
        w1 = b
        w2 = c
        w3 = d
    }

    /// Uniform cubic B-spline basis at `t` in [0, 1).
    static func weights(_ t: Float) -> (Float, Float, Float, Float) {
        let t2 = t * t
        let t3 = t2 * t
        let s = 1 - t
        return (s * s * s / 6, (3 * t3 - 6 * t2 + 4) / 6, (-3 * t3 + 3 * t2 + 3 * t + 1) / 6, t3 / 6)
    }

    /// The SplitMix64 finalizer (Steele, Lea & Flood 2014).
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A hash of two integers under `key`, uniform over 64 bits.
    @inline(__always)
    static func hash(_ key: UInt64, _ i: Int, _ j: Int) -> UInt64 {
        mix(mix(key ^ UInt64(bitPattern: Int64(i))) ^ (UInt64(bitPattern: Int64(j)) &* 0xD6E8_FEB8_6659_FD93))
    }

    /// The lattice value at (i, j), uniform in [-1, 1).
    @inline(__always)
    func lattice(_ i: Int, _ j: Int) -> Float {
        Float(SyntheticNoise.hash(key, i, j) >> 40) * 0x1p-23 - 1
    }

    /// Number of lattice columns a row of `columns` cells touches.
    func latticeCount(columns: Int) -> Int { (columns - 1) / spacing + 4 }

    /// Adds `amplitude · field(c, row)` to `out[c]` for `c` in `0..<columns`.
    ///
    /// - Parameters:
    ///   - scratch: at least `5 · latticeCount(columns:)` floats of workspace; when `cachedRow`
    ///     equals `row / spacing`, the lattice values it holds from the previous call are reused.
    ///   - cachedRow: the lattice row whose values `scratch` holds (updated by the call).
    func accumulateRow(
        _ row: Int, columns: Int, amplitude: Float,
        into out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        cachedRow: inout Int
    ) {
        guard columns > 0 else { return }
        let s = spacing
        let j = row / s
        let p = row - j * s
        let count = latticeCount(columns: columns)
        // scratch[count * (1 + m) + k]: lattice value at column k - 1, row j - 1 + m.
        if cachedRow != j {
            for m in 0..<4 {
                let base = scratch + count * (1 + m)
                for k in 0..<count { base[k] = lattice(k - 1, j - 1 + m) }
            }
            cachedRow = j
        }
        let b0 = amplitude * w0[p]
        let b1 = amplitude * w1[p]
        let b2 = amplitude * w2[p]
        let b3 = amplitude * w3[p]
        let l0 = scratch + count
        let l1 = scratch + 2 * count
        let l2 = scratch + 3 * count
        let l3 = scratch + 4 * count
        // scratch[k] holds the column-k-1 lattice values combined down the four lattice rows.
        for k in 0..<count {
            scratch[k] = b0 * l0[k] + b1 * l1[k] + b2 * l2[k] + b3 * l3[k]
        }
        w0.withUnsafeBufferPointer { x0 in
            w1.withUnsafeBufferPointer { x1 in
                w2.withUnsafeBufferPointer { x2 in
                    w3.withUnsafeBufferPointer { x3 in
                        var c0 = 0
                        var i = 0
                        while c0 < columns {
                            let n = min(s, columns - c0)
                            let r0 = scratch[i]
                            let r1 = scratch[i + 1]
                            let r2 = scratch[i + 2]
                            let r3 = scratch[i + 3]
                            let o = out + c0
                            for q in 0..<n {
                                o[q] += x0[q] * r0 + x1[q] * r1 + x2[q] * r2 + x3[q] * r3
                            }
                            c0 += s
                            i += 1
                        }
                    }
                }
            }
        }
    }

    /// The field over a whole `columns × rows` raster (row-major), as a sum of octaves with
    /// spacings `spacing, spacing/2, …` and amplitudes `1, 1/2, …`, standardized to mean 0
    /// and standard deviation 1 over the raster.
    static func standardField(columns: Int, rows: Int, spacing: Int, octaves: Int, key: UInt64) -> [Float] {
        var layers = [SyntheticNoise]()
        var s = max(1, spacing)
        for o in 0..<octaves {
            layers.append(SyntheticNoise(spacing: s, key: key &+ UInt64(o) &* 0x1000_0000_01B3))
            s = max(1, s / 2)
        }
        let scratchCount = 5 * (layers.map { $0.latticeCount(columns: columns) }.max() ?? 1)
        var values = [Float](repeating: 0, count: columns * rows)
        var scratch = [Float](repeating: 0, count: scratchCount * layers.count)
        var cached = [Int](repeating: Int.min, count: layers.count)
        values.withUnsafeMutableBufferPointer { v in
            scratch.withUnsafeMutableBufferPointer { w in
                for r in 0..<rows {
                    var amplitude: Float = 1
                    for (o, layer) in layers.enumerated() {
                        layer.accumulateRow(
                            r, columns: columns, amplitude: amplitude,
                            into: v.baseAddress! + r * columns, scratch: w.baseAddress! + o * scratchCount,
                            cachedRow: &cached[o])
                        amplitude *= 0.5
                    }
                }
            }
        }
        standardize(&values)
        return values
    }

    /// Rescales `values` in place to mean 0 and standard deviation 1 (sums in Double, row-major order).
    static func standardize(_ values: inout [Float]) {
        let (mean, sd) = meanAndDeviation(values)
        let m = Float(mean)
        let inv = Float(sd > 0 ? 1 / sd : 1)
        values.withUnsafeMutableBufferPointer { v in
            for k in v.indices { v[k] = (v[k] - m) * inv }
        }
    }

    /// Mean and population standard deviation, summed in Double in index order.
    static func meanAndDeviation(_ values: [Float]) -> (mean: Double, sd: Double) {
        guard !values.isEmpty else { return (0, 0) }
        var sum = 0.0
        var sum2 = 0.0
        values.withUnsafeBufferPointer { v in
            for x in v { sum += Double(x) }
            let mean = sum / Double(v.count)
            for x in v {
                let d = Double(x) - mean
                sum2 += d * d
            }
        }
        let mean = sum / Double(values.count)
        return (mean, (sum2 / Double(values.count)).squareRoot())
    }
}
