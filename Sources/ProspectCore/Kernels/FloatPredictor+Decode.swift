import ProspectAVX2

extension FloatPredictor {
    /// Undoes the floating-point predictor on `rows` rows of a tile `columns` samples wide,
    /// storing the first `width` samples of each row at `destination + r · stride`.
    ///
    /// The inverse of `encode` (libtiff's `fpAcc`): each byte of a row's four planes is the
    /// running sum (modulo 256) of the encoded bytes up to it, the planes taken one after
    /// another, and sample `c` is then the bytes `c` of the four planes, the first plane its
    /// most significant byte. Plane `p` thus starts from the sum of the encoded bytes of the
    /// planes before it, so each row first sums its planes, then runs the four planes side by
    /// side; only the samples stored are decoded (`width` < `columns` at a map's right edge).
    ///
    /// With AVX2 (`CPUFeatures.avx2`) 16 samples at a time (`AVX2Kernels.undoFloatPredictor`),
    /// else `decodePortable`; `decodeReference` is the definition. Tests compare the three.
    /// - Parameters:
    ///   - encoded: `4 · columns · rows` bytes, the tile after decompression.
    ///   - destination: room for `rows` rows `stride` apart, `width` samples each.
    public static func decode(
        _ encoded: UnsafeRawPointer, columns: Int, rows: Int, width: Int, into destination: UnsafeMutablePointer<Float>, stride: Int
    ) {
        precondition(width >= 0 && width <= columns && (rows <= 1 || stride >= width), "rows of at most `columns` samples")
        if CPUFeatures.avx2 && AVX2Kernels.built {
            AVX2Kernels.undoFloatPredictor(
                encoded.assumingMemoryBound(to: UInt8.self), columns: columns, rows: rows, width: width,
                into: UnsafeMutableRawPointer(destination).assumingMemoryBound(to: UInt32.self), stride: stride)
        } else {
            decodePortable(encoded, columns: columns, rows: rows, width: width, into: destination, stride: stride)
        }
    }

    /// `decode` without AVX2: the four planes' running sums side by side, a sample at a time.
    public static func decodePortable(
        _ encoded: UnsafeRawPointer, columns: Int, rows: Int, width: Int, into destination: UnsafeMutablePointer<Float>, stride: Int
    ) {
        let bytes = encoded.assumingMemoryBound(to: UInt8.self)
        let out = UnsafeMutableRawPointer(destination).assumingMemoryBound(to: UInt32.self)
        for r in 0..<rows {
            let p0 = bytes + 4 * columns * r
            let p1 = p0 + columns
            let p2 = p1 + columns
            let p3 = p2 + columns
            let row = out + r * stride
            // Each plane starts from the sum of the planes before it.
            var a0: UInt8 = 0
            var a1 = planeSum(p0, columns)
            var a2 = a1 &+ planeSum(p1, columns)
            var a3 = a2 &+ planeSum(p2, columns)
            for c in 0..<width {
                a0 &+= p0[c]
                a1 &+= p1[c]
                a2 &+= p2[c]
                a3 &+= p3[c]
                row[c] = UInt32(a0) << 24 | UInt32(a1) << 16 | UInt32(a2) << 8 | UInt32(a3)
            }
        }
    }

    /// The sum modulo 256 of `count` bytes, 32 at a time in wrapping byte lanes.
    @inline(__always)
    static func planeSum(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt8 {
        var lanes = SIMD32<UInt8>(repeating: 0)
        var i = 0
        while i + 32 <= count {
            lanes &+= UnsafeRawPointer(p + i).loadUnaligned(as: SIMD32<UInt8>.self)
            i += 32
        }
        var sum = lanes.wrappedSum()
        while i < count {
            sum &+= p[i]
            i += 1
        }
        return sum
    }

    /// The definition, as libtiff's `fpAcc` runs it: per row, the running sum of its bytes,
    /// then sample `c` gathered from byte `c` of each plane, the most significant first.
    public static func decodeReference(
        _ encoded: UnsafeRawPointer, columns: Int, rows: Int, width: Int, into destination: UnsafeMutablePointer<Float>, stride: Int
    ) {
        let bytes = encoded.assumingMemoryBound(to: UInt8.self)
        var planes = [UInt8](repeating: 0, count: 4 * columns)
        for r in 0..<rows {
            var sum: UInt8 = 0
            for k in 0..<(4 * columns) {
                sum &+= bytes[4 * columns * r + k]
                planes[k] = sum
            }
            for c in 0..<width {
                var bits: UInt32 = 0
                for plane in 0..<4 { bits = bits << 8 | UInt32(planes[plane * columns + c]) }
                destination[r * stride + c] = Float(bitPattern: bits)
            }
        }
    }
}
