// 256-bit kernels for x86-64 processors with AVX2, built for that instruction set whatever the
// rest of the package is built for. ProspectCore calls them only after checking at run time that
// the processor has AVX2 (`CPUFeatures.avx2`), and keeps a portable kernel beside each one;
// tests compare the two.
#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
    import _Builtin_intrinsics.intel

    public enum AVX2Kernels {
        /// Whether this build holds the AVX2 kernels (x86-64 only).
        public static let built = true

        /// Most trees summed per pass: a plane's byte sums stay below 2^16 for 257 trees.
        static let treesPerPass = 256

        /// `sums[c] = initial + Σ_t leaf_t(indices[t·stride + c])` for `cells` cells (a multiple of
        /// 32), with each tree's 64 leaf values (Int32, two's complement) stored as byte planes.
        ///
        /// - Parameters:
        ///   - indices: leaf-index bytes (< 64), `trees × stride`.
        ///   - planes: per tree 256 bytes: plane `p` (byte `p` of every leaf value, lowest first) at
        ///     `64·p`, leaf `j` at `64·p + j`.
        ///   - planeCount: 4, or 3 when every leaf value is below 2^24 (its top plane is zero and skipped).
        ///
        /// Looking up 32 cells at once: each 16-leaf quarter of a plane is one `vpshufb` table, and
        /// bits 4 and 5 of the leaf index pick the quarter with two rounds of byte blends. The
        /// looked-up bytes add up in 16-bit lanes per plane, and the planes recombine as
        /// `Σ_p sum_p · 2^(8p)` in wrapping 32-bit arithmetic, which is the exact sum of the leaf
        /// values whenever that sum fits in Int32 (as `QuantizedLeaves` guarantees).
        public static func sumLeafPlanes(
            indices: UnsafePointer<UInt8>, stride: Int, cells: Int, planes: UnsafePointer<UInt8>,
            planeCount: Int = 4, trees: Int, initial: Int32 = 0, into sums: UnsafeMutablePointer<Int32>
        ) {
            precondition(cells % 32 == 0 && stride >= cells, "whole groups of 32 cells")
            precondition(planeCount == 3 || planeCount == 4, "three or four byte planes")
            for c in 0..<cells { sums[c] = initial }
            var first = 0
            while first < trees {
                let count = min(treesPerPass, trees - first)
                var c = 0
                while c < cells {
                    let i = indices + first * stride + c
                    let p = planes + first * 256
                    if planeCount == 3 {
                        group3(indices: i, stride: stride, planes: p, trees: count, into: sums + c)
                    } else {
                        group4(indices: i, stride: stride, planes: p, trees: count, into: sums + c)
                    }
                    c += 32
                }
                first += count
            }
        }

        /// Bins `cells` values (a multiple of 32) of one layer with a two-level search:
        /// `out[c] = #{thresholds < x[c]} − 128`, where bin = `n·(second + 1) + k` for `n` root keys
        /// and `k` keys of node `n` below `x[c]`.
        ///
        /// - Parameters:
        ///   - root: 8 keys (unused ones +∞).
        ///   - columns: `second` columns of 8 floats (key `i` of nodes 0–7 at `8i + n`), then, when
        ///     `ninth`, node 8's `second` keys.
        ///   - second: keys per second-level node, 0 for a root-only search.
        ///
        /// 32 cells per pass as four independent vectors of 8: the root count is 8 broadcast
        /// compares; key `i` of every cell's node is one `vpermps` over column `i` (node 8, past the
        /// last root key, blended in when `ninth`). The four vectors pack to 32 bytes.
        public static func bin(
            _ x: UnsafePointer<Float>, cells: Int, root: UnsafePointer<Float>, columns: UnsafePointer<Float>,
            second: Int, ninth: Bool, into out: UnsafeMutablePointer<Int8>
        ) {
            precondition(cells % 32 == 0 && second >= 0 && second <= 8, "whole groups of 32 cells, at most 8 keys per node")
            @inline(__always) func load(_ p: UnsafePointer<Float>) -> __m256 { _mm256_loadu_ps(p) }
            // −1 where the key is below the value (never for NaN).
            @inline(__always) func below(_ k: __m256, _ v: __m256) -> __m256i { unsafeBitCast((k .< v)._storage, to: __m256i.self) }
            @inline(__always) func add(_ a: __m256i, _ b: __m256i) -> __m256i { _mm256_add_epi32(a, b) }
            // Minus the number of root keys below v.
            @inline(__always) func rootCount(_ v: __m256) -> __m256i {
                let a = add(below(_mm256_broadcast_ss(root), v), below(_mm256_broadcast_ss(root + 1), v))
                let b = add(below(_mm256_broadcast_ss(root + 2), v), below(_mm256_broadcast_ss(root + 3), v))
                let c = add(below(_mm256_broadcast_ss(root + 4), v), below(_mm256_broadcast_ss(root + 5), v))
                let d = add(below(_mm256_broadcast_ss(root + 6), v), below(_mm256_broadcast_ss(root + 7), v))
                return add(add(a, b), add(c, d))
            }
            let zero = _mm256_setzero_si256()
            let width = _mm256_set1_epi32(Int32(second + 1))
            let eight = _mm256_set1_epi32(8)
            let order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)
            let flip = _mm256_set1_epi8(-128)
            var g = 0
            while g < cells {
                let v0 = load(x + g)
                let v1 = load(x + g + 8)
                let v2 = load(x + g + 16)
                let v3 = load(x + g + 24)
                let n0 = _mm256_sub_epi32(zero, rootCount(v0))
                let n1 = _mm256_sub_epi32(zero, rootCount(v1))
                let n2 = _mm256_sub_epi32(zero, rootCount(v2))
                let n3 = _mm256_sub_epi32(zero, rootCount(v3))
                var b0 = n0
                var b1 = n1
                var b2 = n2
                var b3 = n3
                if second > 0 {
                    // Minus the node keys below v.
                    var k0 = zero
                    var k1 = zero
                    var k2 = zero
                    var k3 = zero
                    if ninth {
                        let l0 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(n0, eight))
                        let l1 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(n1, eight))
                        let l2 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(n2, eight))
                        let l3 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(n3, eight))
                        for i in 0..<second {
                            let column = load(columns + 8 &* i)
                            let last = _mm256_broadcast_ss(columns + (8 &* second &+ i))
                            k0 = add(k0, below(_mm256_blendv_ps(_mm256_permutevar8x32_ps(column, n0), last, l0), v0))
                            k1 = add(k1, below(_mm256_blendv_ps(_mm256_permutevar8x32_ps(column, n1), last, l1), v1))
                            k2 = add(k2, below(_mm256_blendv_ps(_mm256_permutevar8x32_ps(column, n2), last, l2), v2))
                            k3 = add(k3, below(_mm256_blendv_ps(_mm256_permutevar8x32_ps(column, n3), last, l3), v3))
                        }
                    } else {
                        for i in 0..<second {
                            let column = load(columns + 8 &* i)
                            k0 = add(k0, below(_mm256_permutevar8x32_ps(column, n0), v0))
                            k1 = add(k1, below(_mm256_permutevar8x32_ps(column, n1), v1))
                            k2 = add(k2, below(_mm256_permutevar8x32_ps(column, n2), v2))
                            k3 = add(k3, below(_mm256_permutevar8x32_ps(column, n3), v3))
                        }
                    }
                    b0 = _mm256_sub_epi32(_mm256_mullo_epi32(n0, width), k0)
                    b1 = _mm256_sub_epi32(_mm256_mullo_epi32(n1, width), k1)
                    b2 = _mm256_sub_epi32(_mm256_mullo_epi32(n2, width), k2)
                    b3 = _mm256_sub_epi32(_mm256_mullo_epi32(n3, width), k3)
                }
                // Bins ≤ 80: Int32 → Int16 → UInt8, then one dword permute restores the cell order.
                let bytes = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(_mm256_packs_epi32(b0, b1), _mm256_packs_epi32(b2, b3)), order)
                _mm256_storeu_si256(UnsafeMutableRawPointer(out + g).assumingMemoryBound(to: __m256i.self), _mm256_xor_si256(bytes, flip))
                g &+= 32
            }
        }

        /// Leaf indices of complete trees of at most 6 levels (`CompleteLayout`) for `cells` cells
        /// (a multiple of 32): `out[t·outStride + c]`.
        ///
        /// - Parameters:
        ///   - bins: per layer a row of `binStride` bin bytes (`bin − 128`).
        ///   - depth: levels per tree.
        ///   - nodeLayer, nodeByte: per tree 112 bytes, level ℓ's node `n` at `16ℓ + n`.
        ///   - usedStart, used: the layers tested at level ℓ of tree t are
        ///     `used[usedStart[6t + ℓ] ..< usedStart[6t + ℓ + 1]]`.
        ///
        /// Per level, for 32 cells: each cell's node threshold and layer by `vpshufb` on the level's
        /// table with the cell's node index (two tables and a blend at level 5), its bin on that
        /// layer by blending the rows of the level's layers, and `index = 2·index + (bin > τ)`.
        public static func completeIndices(
            bins: UnsafePointer<Int8>, binStride: Int, cells: Int, depth: UnsafePointer<UInt8>,
            nodeLayer: UnsafePointer<UInt8>, nodeByte: UnsafePointer<Int8>,
            usedStart: UnsafePointer<Int32>, used: UnsafePointer<UInt8>, trees: Int,
            into out: UnsafeMutablePointer<UInt8>, outStride: Int
        ) {
            precondition(cells % 32 == 0, "whole groups of 32 cells")
            @inline(__always) func row(_ layer: UInt8, _ g: Int) -> __m256i {
                let offset: Int = Int(layer) &* binStride &+ g
                return _mm256_loadu_si256(UnsafeRawPointer(bins + offset).assumingMemoryBound(to: __m256i.self))
            }
            @inline(__always) func table(_ p: UnsafeRawPointer, level: Int, _ index: __m256i) -> __m256i {
                let t = p.assumingMemoryBound(to: UInt8.self) + 16 &* level
                if level < 5 { return _mm256_shuffle_epi8(broadcast(t), index) }
                return _mm256_blendv_epi8(
                    _mm256_shuffle_epi8(broadcast(t), index), _mm256_shuffle_epi8(broadcast(t + 16), index),
                    _mm256_slli_epi16(index, 3))
            }
            for tree in 0..<trees {
                let d = Int(depth[tree])
                let layers = UnsafeRawPointer(nodeLayer + 112 &* tree)
                let bytes = UnsafeRawPointer(nodeByte + 112 &* tree)
                var g = 0
                while g < cells {
                    var index = _mm256_setzero_si256()
                    for level in 0..<d {
                        let from = Int(usedStart[6 &* tree &+ level])
                        let to = Int(usedStart[6 &* tree &+ level &+ 1])
                        let threshold = table(bytes, level: level, index)
                        var bin = row(used[from], g)
                        if to &- from > 1 {
                            let layer = table(layers, level: level, index)
                            for u in (from &+ 1)..<to {
                                let l = used[u]
                                bin = _mm256_blendv_epi8(bin, row(l, g), _mm256_cmpeq_epi8(layer, _mm256_set1_epi8(Int8(bitPattern: l))))
                            }
                        }
                        index = _mm256_sub_epi8(_mm256_add_epi8(index, index), _mm256_cmpgt_epi8(bin, threshold))
                    }
                    let offset: Int = tree &* outStride &+ g
                    _mm256_storeu_si256(UnsafeMutableRawPointer(out + offset).assumingMemoryBound(to: __m256i.self), index)
                    g &+= 32
                }
            }
        }

        @inline(__always)
        static func broadcast(_ p: UnsafePointer<UInt8>) -> __m256i {
            _mm256_broadcastsi128_si256(_mm_loadu_si128(UnsafeRawPointer(p).assumingMemoryBound(to: __m128i.self)))
        }

        /// One plane's bytes for 32 leaf indices `i`; `s3`, `s2` hold bits 4 and 5 of each index in
        /// bit 7 (`vpblendvb` selects on bit 7).
        @inline(__always)
        static func lookup(_ t: UnsafePointer<UInt8>, _ i: __m256i, _ s3: __m256i, _ s2: __m256i) -> __m256i {
            let low = _mm256_blendv_epi8(_mm256_shuffle_epi8(broadcast(t), i), _mm256_shuffle_epi8(broadcast(t + 16), i), s3)
            let high = _mm256_blendv_epi8(_mm256_shuffle_epi8(broadcast(t + 32), i), _mm256_shuffle_epi8(broadcast(t + 48), i), s3)
            return _mm256_blendv_epi8(low, high, s2)
        }

        @inline(never)
        static func group3(
            indices: UnsafePointer<UInt8>, stride: Int, planes: UnsafePointer<UInt8>, trees: Int,
            into sums: UnsafeMutablePointer<Int32>
        ) {
            group(indices: indices, stride: stride, planes: planes, trees: trees, three: true, into: sums)
        }

        @inline(never)
        static func group4(
            indices: UnsafePointer<UInt8>, stride: Int, planes: UnsafePointer<UInt8>, trees: Int,
            into sums: UnsafeMutablePointer<Int32>
        ) {
            group(indices: indices, stride: stride, planes: planes, trees: trees, three: false, into: sums)
        }

        /// Adds the leaf sums of 32 cells over at most `treesPerPass` trees into `sums`, from the low
        /// three planes only when `three`.
        @inline(__always)
        static func group(
            indices: UnsafePointer<UInt8>, stride: Int, planes: UnsafePointer<UInt8>, trees: Int, three: Bool,
            into sums: UnsafeMutablePointer<Int32>
        ) {
            let zero = _mm256_setzero_si256()
            // Per plane, 16-bit sums: `lo` holds cells 0–7 | 16–23, `hi` cells 8–15 | 24–31.
            var l0 = zero
            var h0 = zero
            var l1 = zero
            var h1 = zero
            var l2 = zero
            var h2 = zero
            var l3 = zero
            var h3 = zero
            var p = indices
            var t = planes
            for _ in 0..<trees {
                let i = _mm256_loadu_si256(UnsafeRawPointer(p).assumingMemoryBound(to: __m256i.self))
                let s3 = _mm256_slli_epi16(i, 3)
                let s2 = _mm256_slli_epi16(i, 2)
                var r = lookup(t, i, s3, s2)
                l0 = _mm256_add_epi16(l0, _mm256_unpacklo_epi8(r, zero))
                h0 = _mm256_add_epi16(h0, _mm256_unpackhi_epi8(r, zero))
                r = lookup(t + 64, i, s3, s2)
                l1 = _mm256_add_epi16(l1, _mm256_unpacklo_epi8(r, zero))
                h1 = _mm256_add_epi16(h1, _mm256_unpackhi_epi8(r, zero))
                r = lookup(t + 128, i, s3, s2)
                l2 = _mm256_add_epi16(l2, _mm256_unpacklo_epi8(r, zero))
                h2 = _mm256_add_epi16(h2, _mm256_unpackhi_epi8(r, zero))
                if !three {
                    r = lookup(t + 192, i, s3, s2)
                    l3 = _mm256_add_epi16(l3, _mm256_unpacklo_epi8(r, zero))
                    h3 = _mm256_add_epi16(h3, _mm256_unpackhi_epi8(r, zero))
                }
                p += stride
                t += 256
            }
            // 16-bit plane sums to 32 bits, then Σ_p sum_p << 8p.
            @inline(__always) func combine(_ a: __m256i, _ b: __m256i, _ c: __m256i, _ d: __m256i) -> SIMD8<Int32> {
                unsafeBitCast(
                    _mm256_add_epi32(
                        _mm256_add_epi32(a, _mm256_slli_epi32(b, 8)),
                        _mm256_add_epi32(_mm256_slli_epi32(c, 16), _mm256_slli_epi32(d, 24))),
                    to: SIMD8<Int32>.self)
            }
            // unpacklo_epi16 of `lo`: cells 0–3 | 16–19; unpackhi: 4–7 | 20–23 (and 8–11 | 24–27,
            // 12–15 | 28–31 from `hi`).
            let a = combine(
                _mm256_unpacklo_epi16(l0, zero), _mm256_unpacklo_epi16(l1, zero),
                _mm256_unpacklo_epi16(l2, zero), _mm256_unpacklo_epi16(l3, zero))
            let b = combine(
                _mm256_unpackhi_epi16(l0, zero), _mm256_unpackhi_epi16(l1, zero),
                _mm256_unpackhi_epi16(l2, zero), _mm256_unpackhi_epi16(l3, zero))
            let c = combine(
                _mm256_unpacklo_epi16(h0, zero), _mm256_unpacklo_epi16(h1, zero),
                _mm256_unpacklo_epi16(h2, zero), _mm256_unpacklo_epi16(h3, zero))
            let d = combine(
                _mm256_unpackhi_epi16(h0, zero), _mm256_unpackhi_epi16(h1, zero),
                _mm256_unpackhi_epi16(h2, zero), _mm256_unpackhi_epi16(h3, zero))
            let out = UnsafeMutableRawPointer(sums)
            @inline(__always) func add(_ v: SIMD8<Int32>, at k: Int) {
                let slot = out + 32 * k
                slot.storeBytes(of: slot.loadUnaligned(as: SIMD8<Int32>.self) &+ v, as: SIMD8<Int32>.self)
            }
            add(SIMD8(lowHalf: a.lowHalf, highHalf: b.lowHalf), at: 0)
            add(SIMD8(lowHalf: c.lowHalf, highHalf: d.lowHalf), at: 1)
            add(SIMD8(lowHalf: a.highHalf, highHalf: b.highHalf), at: 2)
            add(SIMD8(lowHalf: c.highHalf, highHalf: d.highHalf), at: 3)
        }
    }
#else
    /// Processors without AVX2 builds: the kernels are absent and `built` is false.
    public enum AVX2Kernels {
        public static let built = false

        public static func sumLeafPlanes(
            indices: UnsafePointer<UInt8>, stride: Int, cells: Int, planes: UnsafePointer<UInt8>,
            planeCount: Int = 4, trees: Int, initial: Int32 = 0, into sums: UnsafeMutablePointer<Int32>
        ) {
            preconditionFailure("the AVX2 kernels are not in this build")
        }

        public static func bin(
            _ x: UnsafePointer<Float>, cells: Int, root: UnsafePointer<Float>, columns: UnsafePointer<Float>,
            second: Int, ninth: Bool, into out: UnsafeMutablePointer<Int8>
        ) {
            preconditionFailure("the AVX2 kernels are not in this build")
        }

        public static func completeIndices(
            bins: UnsafePointer<Int8>, binStride: Int, cells: Int, depth: UnsafePointer<UInt8>,
            nodeLayer: UnsafePointer<UInt8>, nodeByte: UnsafePointer<Int8>,
            usedStart: UnsafePointer<Int32>, used: UnsafePointer<UInt8>, trees: Int,
            into out: UnsafeMutablePointer<UInt8>, outStride: Int
        ) {
            preconditionFailure("the AVX2 kernels are not in this build")
        }
    }
#endif
