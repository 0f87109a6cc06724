// The inverse of the TIFF floating-point predictor, 16 samples at a time (see `LeafPlanes.swift`
// for how the kernels of this module are built and chosen).
#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
    import _Builtin_intrinsics.intel

    extension AVX2Kernels {
        /// `FloatPredictor.decode` (ProspectCore): undoes the floating-point predictor on `rows`
        /// rows of `columns` samples, storing the first `width` sample bits of each row at
        /// `out + r · stride`.
        ///
        /// Per row, the sum (mod 256) of each plane's bytes (`psadbw`) gives the byte each plane's
        /// running sum starts from; then 16 columns of the four planes at a time: each plane's
        /// running sum within the 16 bytes (three 64-bit shifts by whole bytes and byte adds, then
        /// byte 7 added to the upper eight with `pshufb`), plus the plane's carry (its last byte
        /// so far, broadcast); the four sums interleave into 16 samples with byte and word
        /// unpacks, the first plane the most significant byte. The last `width mod 16` samples
        /// one at a time.
        public static func undoFloatPredictor(
            _ encoded: UnsafePointer<UInt8>, columns: Int, rows: Int, width: Int, into out: UnsafeMutablePointer<UInt32>, stride: Int
        ) {
            let spread = _mm_setr_epi8(-128, -128, -128, -128, -128, -128, -128, -128, 7, 7, 7, 7, 7, 7, 7, 7)
            let last = _mm_set1_epi8(15)
            @inline(__always) func load(_ p: UnsafePointer<UInt8>) -> __m128i {
                _mm_loadu_si128(UnsafeRawPointer(p).assumingMemoryBound(to: __m128i.self))
            }
            @inline(__always) func store(_ v: __m128i, _ p: UnsafeMutablePointer<UInt32>) {
                _mm_storeu_si128(UnsafeMutableRawPointer(p).assumingMemoryBound(to: __m128i.self), v)
            }
            @inline(__always) func scan(_ v: __m128i, _ carry: inout __m128i) -> __m128i {
                var x = _mm_add_epi8(v, _mm_slli_epi64(v, 8))
                x = _mm_add_epi8(x, _mm_slli_epi64(x, 16))
                x = _mm_add_epi8(x, _mm_slli_epi64(x, 32))
                x = _mm_add_epi8(_mm_add_epi8(x, _mm_shuffle_epi8(x, spread)), carry)
                carry = _mm_shuffle_epi8(x, last)
                return x
            }
            @inline(__always) func byte(_ v: __m128i) -> UInt8 { UInt8(truncatingIfNeeded: _mm_cvtsi128_si32(v)) }
            for r in 0..<rows {
                let p0 = encoded + 4 &* columns &* r
                let p1 = p0 + columns
                let p2 = p1 + columns
                let p3 = p2 + columns
                let row = out + r &* stride
                let s1 = planeSum(p0, columns)
                let s2 = s1 &+ planeSum(p1, columns)
                let s3 = s2 &+ planeSum(p2, columns)
                var c0 = _mm_setzero_si128()
                var c1 = _mm_set1_epi8(Int8(bitPattern: s1))
                var c2 = _mm_set1_epi8(Int8(bitPattern: s2))
                var c3 = _mm_set1_epi8(Int8(bitPattern: s3))
                var c = 0
                while c &+ 16 <= width {
                    let b0 = scan(load(p0 + c), &c0)
                    let b1 = scan(load(p1 + c), &c1)
                    let b2 = scan(load(p2 + c), &c2)
                    let b3 = scan(load(p3 + c), &c3)
                    // Little-endian samples: plane 3 is byte 0.
                    let low32 = _mm_unpacklo_epi8(b3, b2)
                    let low10 = _mm_unpacklo_epi8(b1, b0)
                    let high32 = _mm_unpackhi_epi8(b3, b2)
                    let high10 = _mm_unpackhi_epi8(b1, b0)
                    store(_mm_unpacklo_epi16(low32, low10), row + c)
                    store(_mm_unpackhi_epi16(low32, low10), row + (c &+ 4))
                    store(_mm_unpacklo_epi16(high32, high10), row + (c &+ 8))
                    store(_mm_unpackhi_epi16(high32, high10), row + (c &+ 12))
                    c &+= 16
                }
                var a0 = byte(c0)
                var a1 = byte(c1)
                var a2 = byte(c2)
                var a3 = byte(c3)
                while c < width {
                    a0 &+= p0[c]
                    a1 &+= p1[c]
                    a2 &+= p2[c]
                    a3 &+= p3[c]
                    row[c] = UInt32(a0) << 24 | UInt32(a1) << 16 | UInt32(a2) << 8 | UInt32(a3)
                    c &+= 1
                }
            }
        }

        /// The sum modulo 256 of `count` bytes: `psadbw` against zero, 16 at a time.
        @inline(__always)
        static func planeSum(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt8 {
            let zero = _mm_setzero_si128()
            var sums = zero
            var i = 0
            while i &+ 16 <= count {
                sums = _mm_add_epi64(
                    sums, _mm_sad_epu8(_mm_loadu_si128(UnsafeRawPointer(p + i).assumingMemoryBound(to: __m128i.self)), zero))
                i &+= 16
            }
            var sum = UInt8(truncatingIfNeeded: _mm_cvtsi128_si64(sums) &+ _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)))
            while i < count {
                sum &+= p[i]
                i &+= 1
            }
            return sum
        }
    }
#else
    extension AVX2Kernels {
        public static func undoFloatPredictor(
            _ encoded: UnsafePointer<UInt8>, columns: Int, rows: Int, width: Int, into out: UnsafeMutablePointer<UInt32>, stride: Int
        ) {
            preconditionFailure("the AVX2 kernels are not in this build")
        }
    }
#endif
