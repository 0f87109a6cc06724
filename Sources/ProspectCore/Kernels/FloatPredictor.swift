/// The TIFF floating-point predictor (`PREDICTOR=3`) for 32-bit samples, one sample per pixel.
///
/// Adobe Photoshop TIFF Technical Note 3 (2005), "Floating point predictor": each row of a tile
/// is rearranged into four byte planes, the most significant byte of every sample first, and
/// each byte of the rearranged row is then replaced by its difference from the byte before it
/// (modulo 256; the row's first byte stays). The exponent bytes of neighbouring cells are
/// nearly equal, so the planes hold long runs a compressor finds; libtiff applies the same
/// transform before ZSTD or DEFLATE (`fpDiff`), so a tile encoded here and compressed with the
/// same codec and level is the tile GDAL writes, byte for byte.
///
/// Every output byte depends only on two input bytes, so `encode` computes 16 cells of a plane
/// at once and `reference` is the definition, byte by byte; tests compare the two.
public enum FloatPredictor {
    /// Encodes the rows of `source` (`columns` samples each) into `destination`, which holds
    /// four bytes per sample.
    public static func encode(_ source: UnsafeBufferPointer<Float>, columns: Int, into destination: UnsafeMutableRawBufferPointer) {
        precondition(columns > 0 && source.count % columns == 0, "whole rows of samples")
        precondition(destination.count >= 4 * source.count, "four bytes per sample")
        guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
        let words = UnsafeRawPointer(src)
        let rows = source.count / columns
        let rowBytes = 4 * columns
        for r in 0..<rows {
            let row = words + r * rowBytes
            let out = dst + r * rowBytes
            // The first sample's bytes follow the previous plane's last byte: done one by one.
            for plane in 0..<4 {
                out.storeBytes(of: encodedByte(row, columns: columns, plane: plane, at: 0), toByteOffset: plane * columns, as: UInt8.self)
            }
            var i = 1
            while i + 16 <= columns {
                let current = row.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<UInt32>.self)
                let previous = row.loadUnaligned(fromByteOffset: 4 * (i - 1), as: SIMD16<UInt32>.self)
                for plane in 0..<4 {
                    let shift = UInt32(24 - 8 * plane)
                    let now = SIMD16<UInt8>(truncatingIfNeeded: current &>> shift)
                    let before = SIMD16<UInt8>(truncatingIfNeeded: previous &>> shift)
                    out.storeBytes(of: now &- before, toByteOffset: plane * columns + i, as: SIMD16<UInt8>.self)
                }
                i += 16
            }
            while i < columns {
                for plane in 0..<4 {
                    out.storeBytes(
                        of: encodedByte(row, columns: columns, plane: plane, at: i), toByteOffset: plane * columns + i, as: UInt8.self)
                }
                i += 1
            }
        }
    }

    /// The encoded byte of sample `i` in byte plane `plane` of a row.
    @inline(__always)
    static func encodedByte(_ row: UnsafeRawPointer, columns: Int, plane: Int, at i: Int) -> UInt8 {
        let now = byte(row.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self), plane: plane)
        let before: UInt8
        if i > 0 {
            before = byte(row.loadUnaligned(fromByteOffset: 4 * (i - 1), as: UInt32.self), plane: plane)
        } else if plane > 0 {
            before = byte(row.loadUnaligned(fromByteOffset: 4 * (columns - 1), as: UInt32.self), plane: plane - 1)
        } else {
            before = 0
        }
        return now &- before
    }

    /// Byte `plane` of a sample's bits, the most significant first.
    @inline(__always)
    static func byte(_ bits: UInt32, plane: Int) -> UInt8 { UInt8(truncatingIfNeeded: bits >> UInt32(24 - 8 * plane)) }

    /// The definition, as the technical note states it: per row, the samples' bytes in planes
    /// (most significant first), then each byte less the one before it.
    public static func reference(_ source: UnsafeBufferPointer<Float>, columns: Int, into destination: UnsafeMutableRawBufferPointer) {
        precondition(columns > 0 && source.count % columns == 0, "whole rows of samples")
        precondition(destination.count >= 4 * source.count, "four bytes per sample")
        let rows = source.count / columns
        var planes = [UInt8](repeating: 0, count: 4 * columns)
        for r in 0..<rows {
            for c in 0..<columns {
                let bits = source[r * columns + c].bitPattern
                for plane in 0..<4 { planes[plane * columns + c] = byte(bits, plane: plane) }
            }
            var before: UInt8 = 0
            for (k, b) in planes.enumerated() {
                destination[r * 4 * columns + k] = b &- before
                before = b
            }
        }
    }

    /// The number of zero bytes in `bytes`: after the predictor, the share of a tile's bytes
    /// that repeat their neighbour, which tells a tile of few distinct values from a noisy one
    /// at a fraction of the cost of compressing it.
    public static func zeros(in bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var nonzero = 0
        var i = 0
        // Four bytes per 32-bit lane: ((x & 0x7F) + 0x7F) | x has its top bit set exactly where
        // the byte is not 0, so each byte of `(…) >> 7 & 0x01` counts one nonzero byte; these
        // byte counters take at most 255 steps, then are summed. Lane arithmetic on 32-bit
        // lanes compiles to vector code; on byte lanes (a mask and `replacing`, or byte shifts)
        // it ran scalar, 70 % of a compressed run's time.
        let low = SIMD8<UInt32>(repeating: 0x7F7F_7F7F)
        let ones = SIMD8<UInt32>(repeating: 0x0101_0101)
        while i + 32 <= bytes.count {
            var counters = SIMD8<UInt32>(repeating: 0)
            let end = min(bytes.count - 31, i + 255 * 32)
            while i < end {
                let x = base.loadUnaligned(fromByteOffset: i, as: SIMD8<UInt32>.self)
                counters &+= (((x & low) &+ low) | x) &>> 7 & ones
                i += 32
            }
            // Bytes of each lane summed: pairs, then halves.
            let pairs = (counters & 0x00FF_00FF) &+ (counters &>> 8 & 0x00FF_00FF)
            nonzero += Int(((pairs & 0xFFFF) &+ (pairs &>> 16)).wrappedSum())
        }
        while i < bytes.count {
            if base.load(fromByteOffset: i, as: UInt8.self) != 0 { nonzero += 1 }
            i += 1
        }
        return bytes.count - nonzero
    }
}
