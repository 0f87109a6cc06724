import Foundation

/// Scores cells with a compiled tree ensemble; nodata where any layer is missing.
public enum TreeKernel {
    /// Cells per pass over the trees. The oblivious path keeps one leaf-index byte per tree and
    /// cell (6.4 KB for 100 trees) next to the leaf tables (25.6 KB at depth 6) in L1.
    public static let block = 64

    /// Scalar reference: the definition (`TreeEnsemble.probability`, `TreeEnsemble.spread`) in
    /// double precision, one cell at a time.
    ///
    /// - Parameters:
    ///   - layers: one buffer per layer, each at least `outputs[0].count` long.
    ///   - outputs: the probability, then (forests, when given) the ensemble spread.
    public static func reference(_ ensemble: TreeEnsemble, nodata: [Float], layers: [UnsafeBufferPointer<Float>],
                                 outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        precondition(layers.count == ensemble.featureCount && nodata.count == layers.count, "one buffer and nodata value per layer")
        let spread = outputs.count > 1 && ensemble.output == .average
        var values = [Float](repeating: 0, count: layers.count)
        for i in 0..<outputs[0].count {
            var valid = true
            for k in layers.indices {
                let x = layers[k][i]
                if x.isNaN || x == nodata[k] { valid = false; break }
                values[k] = x
            }
            outputs[0][i] = valid ? Float(ensemble.probability(values)) : outputNodata
            if spread { outputs[1][i] = valid ? Float(ensemble.spread(values)) : outputNodata }
        }
    }

    /// Fast kernel: the compiled layout's path over blocks of `block` cells. Agrees with
    /// `reference` to 1e-6 in probability (see `ObliviousLayout.quantize` and `FastMath`).
    static func score(_ compiled: CompiledTrees, layers: [UnsafeBufferPointer<Float>],
                      outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        let k = compiled.layerCount
        precondition(layers.count == k, "one buffer per layer")
        let n = outputs[0].count
        guard n > 0 else { return }
        for layer in layers { precondition(layer.count >= n, "layer shorter than output") }
        for out in outputs { precondition(out.count >= n, "output band shorter than the score") }
        let spread = outputs.count > 1 && compiled.ensemble.output == .average
        let b = block
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: max(k, 1)) { inputs in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(k, 1) * b + 2 * b) { floats in
            let padded = floats.baseAddress!            // k × block: a ragged last block, copied
            let invalid = padded + k * b                // 0, or NaN where a layer is missing
            let margin = invalid + b                    // the margin, or the mean for forests
            padded.initialize(repeating: 0, count: k * b)
            var spreadRow: [Float] = spread ? Array(repeating: 0, count: b) : []
            let engine = BlockEngine(compiled, spread: spread)
            var start = 0
            while start < n {
                let count = min(b, n - start)
                for j in 0..<k {
                    if count == b {
                        inputs[j] = layers[j].baseAddress! + start
                    } else {
                        let row = padded + j * b
                        for c in 0..<count { row[c] = layers[j][start + c] }
                        for c in count..<b { row[c] = row[0] }
                        inputs[j] = UnsafePointer(row)
                    }
                }
                Self.validity(inputs: inputs, nodata: compiled.nodata, invalid: invalid)
                spreadRow.withUnsafeMutableBufferPointer { s in
                    engine.run(inputs: inputs, margin: margin, spread: s.baseAddress)
                }
                Self.finish(margin: margin, invalid: invalid, logistic: compiled.ensemble.output == .logistic,
                            output: outputs[0].baseAddress! + start, count: count, outputNodata: outputNodata)
                if spread {
                    let out = outputs[1].baseAddress! + start
                    for c in 0..<count { out[c] = invalid[c].isNaN ? outputNodata : spreadRow[c] }
                }
                start += count
            }
            engine.release()
        }
        }
    }

    /// `invalid[c]` = NaN where any layer is nodata or NaN, else 0.
    @inline(never)
    static func validity(inputs: UnsafeMutableBufferPointer<UnsafePointer<Float>>, nodata: [Float], invalid: UnsafeMutablePointer<Float>) {
        let zero = SIMD8<Float>(repeating: 0), nan = SIMD8<Float>(repeating: .nan)
        for g in stride(from: 0, to: block, by: 8) {
            UnsafeMutableRawPointer(invalid + g).storeBytes(of: zero, as: SIMD8<Float>.self)
        }
        for j in 0..<inputs.count {
            let x = inputs[j], nd = SIMD8<Float>(repeating: nodata[j])
            for g in stride(from: 0, to: block, by: 8) {
                let v = UnsafeRawPointer(x + g).loadUnaligned(as: SIMD8<Float>.self)
                let row = UnsafeMutableRawPointer(invalid + g)
                row.storeBytes(of: row.load(as: SIMD8<Float>.self).replacing(with: nan, where: (v .== nd) .| (v .!= v)),
                               as: SIMD8<Float>.self)
            }
        }
    }

    /// `output = sigmoid(margin)` (or the margin itself for forests), `outputNodata` where invalid.
    @inline(never)
    static func finish(margin: UnsafeMutablePointer<Float>, invalid: UnsafeMutablePointer<Float>, logistic: Bool,
                       output: UnsafeMutablePointer<Float>, count: Int, outputNodata: Float) {
        let nd = SIMD8<Float>(repeating: outputNodata)
        var g = 0
        while g < count {
            let z = UnsafeRawPointer(margin + g).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(invalid + g).loadUnaligned(as: SIMD8<Float>.self)
            var p = logistic ? FastMath.sigmoid(z) : z
            p.replace(with: nd, where: z .!= z)
            if g + 8 <= count {
                UnsafeMutableRawPointer(output + g).storeBytes(of: p, as: SIMD8<Float>.self)
            } else {
                for j in 0..<(count - g) { output[g + j] = p[j] }
            }
            g += 8
        }
    }
}

/// The per-block work of one path, with its scratch memory.
///
/// Owns raw scratch buffers for the duration of one `TreeKernel.score` call (`release` frees
/// them); the compiled tables are read through pointers taken once per call.
struct BlockEngine {
    let compiled: CompiledTrees
    let spread: Bool
    /// Oblivious: `layers × block` bins, then `trees × block` leaf indices.
    var bins: UnsafeMutablePointer<Int8>
    var indices: UnsafeMutablePointer<UInt8>
    var sums: UnsafeMutablePointer<Int32>
    /// General: the block's values cell-major (`block × layers`) and the sums.
    var cellMajor: UnsafeMutablePointer<Float>
    var totals: UnsafeMutablePointer<Double>

    init(_ compiled: CompiledTrees, spread: Bool) {
        self.compiled = compiled
        self.spread = spread
        let b = TreeKernel.block, k = compiled.layerCount
        let trees = compiled.ensemble.trees.count
        if compiled.path == .oblivious {
            bins = .allocate(capacity: k * b)
            bins.initialize(repeating: 0, count: k * b)
            indices = .allocate(capacity: trees * b)
            sums = .allocate(capacity: 2 * b)
            cellMajor = .allocate(capacity: 0)
            totals = .allocate(capacity: 0)
        } else {
            bins = .allocate(capacity: 0)
            indices = .allocate(capacity: 0)
            sums = .allocate(capacity: 0)
            cellMajor = .allocate(capacity: b * max(k, 1))
            totals = .allocate(capacity: 2 * b)
        }
    }

    func release() {
        bins.deallocate(); indices.deallocate(); sums.deallocate(); cellMajor.deallocate(); totals.deallocate()
    }

    /// Writes the block's margin (forests: base + mean) into `margin`, and the spread when asked.
    func run(inputs: UnsafeMutableBufferPointer<UnsafePointer<Float>>, margin: UnsafeMutablePointer<Float>,
             spread out: UnsafeMutablePointer<Float>?) {
        if let o = compiled.oblivious {
            runOblivious(o, inputs: inputs, margin: margin, spread: out)
        } else if let g = compiled.general {
            runGeneral(g, inputs: inputs, margin: margin, spread: out)
        }
    }

    // MARK: oblivious path

    func runOblivious(_ o: ObliviousLayout, inputs: UnsafeMutableBufferPointer<UnsafePointer<Float>>,
                      margin: UnsafeMutablePointer<Float>, spread out: UnsafeMutablePointer<Float>?) {
        let b = TreeKernel.block
        o.keys.withUnsafeBufferPointer { keys in
            for j in 0..<inputs.count where o.levels[j] > 0 {
                Self.bin(inputs[j], keys: keys.baseAddress! + o.keyOffset[j], levels: o.levels[j], into: bins + j * b)
            }
        }
        o.splitLayer.withUnsafeBufferPointer { layer in
            o.splitByte.withUnsafeBufferPointer { split in
                Self.leafIndices(bins: bins, layer: layer.baseAddress!, split: split.baseAddress!, depth: o.depth,
                                 trees: o.treeCount, into: indices)
            }
        }
        o.leaves.withUnsafeBufferPointer { leaves in
            Self.sumLeaves(indices: indices, leaves: leaves.baseAddress!, leafCount: 1 << o.depth, trees: o.treeCount, into: sums)
        }
        let scale = Float(o.scale), base = Float(compiled.ensemble.base)
        for c in 0..<b { margin[c] = Float(sums[c]) * scale + base }
        guard spread, let out else { return }
        o.squares.withUnsafeBufferPointer { squares in
            Self.sumLeaves(indices: indices, leaves: squares.baseAddress!, leafCount: 1 << o.depth, trees: o.treeCount, into: sums + b)
        }
        let trees = Double(max(o.treeCount, 1))
        for c in 0..<b {
            let mean = Double(sums[c]) * o.scale
            let meanSquare = Double(sums[b + c]) * o.squareScale / trees
            out[c] = Float(max(0, meanSquare - mean * mean).squareRoot())
        }
    }

    /// Bins one layer's block: `bin = #{thresholds < x}`, stored as `bin − 128`.
    ///
    /// A 9-ary search: each level compares x with a node's 8 keys in one SIMD compare, and the
    /// count of keys below x (a movemask and popcount) picks the child; `h` levels cover
    /// `9^h − 1` thresholds (8, 80, 728).
    @inline(never)
    static func bin(_ x: UnsafePointer<Float>, keys: UnsafePointer<Float>, levels: Int, into out: UnsafeMutablePointer<Int8>) {
        @inline(__always) func below(_ node: UnsafePointer<Float>, _ v: SIMD8<Float>) -> Int {
            let keys = UnsafeRawPointer(node).loadUnaligned(as: SIMD8<Float>.self)
            return Int((unsafeBitCast((keys .< v)._storage, to: SIMD8<UInt32>.self) & 1).wrappedSum())
        }
        switch levels {
        case 1:
            for c in 0..<TreeKernel.block {
                let v = SIMD8<Float>(repeating: x[c])
                out[c] = Int8(truncatingIfNeeded: below(keys, v) &- 128)
            }
        case 2:
            for c in 0..<TreeKernel.block {
                let v = SIMD8<Float>(repeating: x[c])
                let n = below(keys, v)
                out[c] = Int8(truncatingIfNeeded: n &* 9 &+ below(keys + (8 &+ 8 &* n), v) &- 128)
            }
        default:
            for c in 0..<TreeKernel.block {
                let v = SIMD8<Float>(repeating: x[c])
                var n = below(keys, v)
                n = n &* 9 &+ below(keys + (8 &+ 8 &* n), v)
                out[c] = Int8(truncatingIfNeeded: n &* 9 &+ below(keys + (80 &+ 8 &* n), v) &- 128)
            }
        }
    }

    /// Leaf index bytes, `trees × block`: for 32 cells at a time, `idx = 2·idx + (bin > j)` per
    /// level (a signed byte compare gives −1 for true).
    @inline(never)
    static func leafIndices(bins: UnsafeMutablePointer<Int8>, layer: UnsafePointer<Int32>, split: UnsafePointer<Int8>,
                            depth: Int, trees: Int, into out: UnsafeMutablePointer<UInt8>) {
        let b = TreeKernel.block
        var s = 0
        for t in 0..<trees {
            var i0 = SIMD32<Int8>(), i1 = SIMD32<Int8>()
            for _ in 0..<depth {
                let row = UnsafeRawPointer(bins + Int(layer[s]) &* b)
                let th = SIMD32<Int8>(repeating: split[s])
                let v0 = row.loadUnaligned(as: SIMD32<Int8>.self)
                let v1 = row.loadUnaligned(fromByteOffset: 32, as: SIMD32<Int8>.self)
                i0 = i0 &+ i0 &- (v0 .> th)._storage
                i1 = i1 &+ i1 &- (v1 .> th)._storage
                s &+= 1
            }
            let o = UnsafeMutableRawPointer(out + t &* b)
            o.storeBytes(of: i0, as: SIMD32<Int8>.self)
            o.storeBytes(of: i1, toByteOffset: 32, as: SIMD32<Int8>.self)
        }
    }

    /// `sums[c] = Σ_t leaves[t][idx[t][c]]` in integers (exact, so the order does not matter).
    @inline(never)
    static func sumLeaves(indices: UnsafeMutablePointer<UInt8>, leaves: UnsafePointer<Int32>, leafCount: Int,
                          trees: Int, into sums: UnsafeMutablePointer<Int32>) {
        let b = TreeKernel.block
        var c = 0
        while c < b {
            var acc = SIMD8<Int32>()
            var p = indices + c
            var table = leaves
            for _ in 0..<trees {
                acc &+= SIMD8(table[Int(p[0])], table[Int(p[1])], table[Int(p[2])], table[Int(p[3])],
                              table[Int(p[4])], table[Int(p[5])], table[Int(p[6])], table[Int(p[7])])
                p += b
                table += leafCount
            }
            UnsafeMutableRawPointer(sums + c).storeBytes(of: acc, as: SIMD8<Int32>.self)
            c &+= 8
        }
    }

    // MARK: general path

    func runGeneral(_ g: GeneralLayout, inputs: UnsafeMutableBufferPointer<UnsafePointer<Float>>,
                    margin: UnsafeMutablePointer<Float>, spread out: UnsafeMutablePointer<Float>?) {
        let b = TreeKernel.block, k = inputs.count
        for j in 0..<k {
            let x = inputs[j]
            for c in 0..<b { cellMajor[c &* k &+ j] = x[c] }
        }
        totals.initialize(repeating: 0, count: 2 * b)
        g.nodes.withUnsafeBufferPointer { nodes in
            g.values.withUnsafeBufferPointer { values in
                g.raw.withUnsafeBufferPointer { raw in
                    for t in 0..<g.treeStart.count {
                        let start = g.treeStart[t]
                        Self.walk(nodes: nodes.baseAddress! + start, values: values.baseAddress! + start,
                                  raw: spread ? raw.baseAddress! + start : nil, depth: g.treeDepth[t],
                                  cells: cellMajor, layers: k, totals: totals)
                    }
                }
            }
        }
        let base = compiled.ensemble.base
        for c in 0..<b { margin[c] = Float(base + totals[c]) }
        guard spread, let out else { return }
        let trees = Double(max(g.treeStart.count, 1))
        for c in 0..<b {
            let mean = totals[c]
            out[c] = Float(max(0, totals[b + c] / trees - mean * mean).squareRoot())
        }
    }

    /// One tree over the block, four cells at a time: `node = child + (x > τ)` for `depth` steps.
    @inline(never)
    static func walk(nodes: UnsafePointer<GeneralNode>, values: UnsafePointer<Double>, raw: UnsafePointer<Double>?,
                     depth: Int, cells: UnsafeMutablePointer<Float>, layers k: Int, totals: UnsafeMutablePointer<Double>) {
        let b = TreeKernel.block
        var c = 0
        while c < b {
            let x0 = cells + c &* k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k
            var n0 = 0, n1 = 0, n2 = 0, n3 = 0
            for _ in 0..<depth {
                let a0 = nodes[n0], a1 = nodes[n1], a2 = nodes[n2], a3 = nodes[n3]
                n0 = Int(a0.child) &+ (x0[Int(a0.feature)] > a0.threshold ? 1 : 0)
                n1 = Int(a1.child) &+ (x1[Int(a1.feature)] > a1.threshold ? 1 : 0)
                n2 = Int(a2.child) &+ (x2[Int(a2.feature)] > a2.threshold ? 1 : 0)
                n3 = Int(a3.child) &+ (x3[Int(a3.feature)] > a3.threshold ? 1 : 0)
            }
            totals[c] += values[n0]
            totals[c &+ 1] += values[n1]
            totals[c &+ 2] += values[n2]
            totals[c &+ 3] += values[n3]
            if let raw {
                totals[b &+ c] += raw[n0] * raw[n0]
                totals[b &+ c &+ 1] += raw[n1] * raw[n1]
                totals[b &+ c &+ 2] += raw[n2] * raw[n2]
                totals[b &+ c &+ 3] += raw[n3] * raw[n3]
            }
            c &+= 4
        }
    }
}
