import Foundation
import ProspectAVX2

/// Scores cells with a compiled tree ensemble; nodata where any layer is missing.
public enum TreeKernel {
    /// Cells per pass over the trees: four 32-byte vectors of leaf-index bytes per tree and
    /// level, so the per-level overhead (a layer and a threshold to load) is shared by 128 cells.
    /// One leaf-index byte per tree and cell is 12.8 KB for 100 trees.
    public static let block = 128

    /// Scalar reference: the definition (`TreeEnsemble.probability`, `TreeEnsemble.spread`) in
    /// double precision, one cell at a time.
    ///
    /// - Parameters:
    ///   - layers: one buffer per layer, each at least `outputs[0].count` long.
    ///   - outputs: the probability, then (forests, when given) the ensemble spread.
    public static func reference(
        _ ensemble: TreeEnsemble, nodata: [Float], layers: [UnsafeBufferPointer<Float>],
        outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float
    ) {
        precondition(layers.count == ensemble.featureCount && nodata.count == layers.count, "one buffer and nodata value per layer")
        let spread = outputs.count > 1 && ensemble.output == .average
        var values = [Float](repeating: 0, count: layers.count)
        for i in 0..<outputs[0].count {
            var valid = true
            for k in layers.indices {
                let x = layers[k][i]
                if !x.isFinite || x == nodata[k] {
                    valid = false
                    break
                }
                values[k] = x
            }
            outputs[0][i] = valid ? Float(ensemble.probability(values)) : outputNodata
            if spread { outputs[1][i] = valid ? Float(ensemble.spread(values)) : outputNodata }
        }
    }

    /// Fast kernel: the compiled layout's path over blocks of `block` cells. Agrees with
    /// `reference` to 1e-6 in probability (see `QuantizedLeaves` and `FastMath`).
    static func score(
        _ compiled: CompiledTrees, layers: [UnsafeBufferPointer<Float>],
        outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float
    ) {
        let k = compiled.layerCount
        precondition(layers.count == k, "one buffer per layer")
        let n = outputs[0].count
        guard n > 0 else { return }
        for layer in layers { precondition(layer.count >= n, "layer shorter than output") }
        for out in outputs { precondition(out.count >= n, "output band shorter than the score") }
        let spread = outputs.count > 1 && compiled.ensemble.output == .average
        let offsetFactor = compiled.ensemble.offsetFactor.map { Float($0) }
        let b = block
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: max(k, 1)) { inputs in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(k, 1) * b + 2 * b) { floats in
                let padded = floats.baseAddress!  // k × block: a ragged last block, copied
                let invalid = padded + k * b  // 0, or NaN where a layer is missing
                let margin = invalid + b  // the margin, or the mean for forests
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
                    Self.finish(
                        margin: margin, invalid: invalid, logistic: compiled.ensemble.output == .logistic,
                        offsetFactor: offsetFactor, output: outputs[0].baseAddress! + start, count: count,
                        outputNodata: outputNodata)
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

    /// `invalid[c]` = NaN where any layer is nodata or NaN, else 0. Eight cells at a time over
    /// every layer, so each group's mask stays in a register and is stored once.
    @inline(never)
    static func validity(inputs: UnsafeMutableBufferPointer<UnsafePointer<Float>>, nodata: [Float], invalid: UnsafeMutablePointer<Float>) {
        let nan = SIMD8<Float>(repeating: .nan)
        let zero = SIMD8<Float>(repeating: 0)
        nodata.withUnsafeBufferPointer { nd in
            for g in stride(from: 0, to: block, by: 8) {
                var bad = SIMDMask<SIMD8<Int32>>()
                for j in 0..<inputs.count {
                    let v = UnsafeRawPointer(inputs[j] + g).loadUnaligned(as: SIMD8<Float>.self)
                    bad .|= (v .== SIMD8(repeating: nd[j])) .| (v - v .!= zero)  // v - v: NaN unless v is finite
                }
                UnsafeMutableRawPointer(invalid + g).storeBytes(of: zero.replacing(with: nan, where: bad), as: SIMD8<Float>.self)
            }
        }
    }

    /// `output = sigmoid(margin)` (or the margin itself for forests, shifted in logit by the
    /// ensemble's `logitOffset` when `offsetFactor` = e^δ is given), `outputNodata` where invalid.
    @inline(never)
    static func finish(
        margin: UnsafeMutablePointer<Float>, invalid: UnsafeMutablePointer<Float>, logistic: Bool,
        offsetFactor: Float? = nil, output: UnsafeMutablePointer<Float>, count: Int, outputNodata: Float
    ) {
        let nd = SIMD8<Float>(repeating: outputNodata)
        let factor = SIMD8<Float>(repeating: offsetFactor ?? 1)
        let one = SIMD8<Float>(repeating: 1)
        let shift = !logistic && offsetFactor != nil
        var g = 0
        while g < count {
            let z =
                UnsafeRawPointer(margin + g).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(invalid + g).loadUnaligned(as: SIMD8<Float>.self)
            var p = logistic ? FastMath.sigmoid(z) : z
            if shift {
                // p·e^δ / (p·e^δ + 1 − p): the denominator is at least min(e^δ, 1) for p in [0, 1].
                let q = p * factor
                p = q / (q + (one - p))
            }
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
        let b = TreeKernel.block
        let k = compiled.layerCount
        let trees = compiled.ensemble.trees.count
        if compiled.path != .general {
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
        bins.deallocate()
        indices.deallocate()
        sums.deallocate()
        cellMajor.deallocate()
        totals.deallocate()
    }

    /// Writes the block's margin (forests: base + mean) into `margin`, and the spread when asked.
    func run(
        inputs: UnsafeMutableBufferPointer<UnsafePointer<Float>>, margin: UnsafeMutablePointer<Float>,
        spread out: UnsafeMutablePointer<Float>?
    ) {
        if let o = compiled.oblivious {
            runOblivious(o, inputs: inputs, margin: margin, spread: out)
        } else if let c = compiled.complete {
            runComplete(c, inputs: inputs, margin: margin, spread: out)
        } else if let g = compiled.general {
            runGeneral(g, inputs: inputs, margin: margin, spread: out)
        }
    }

    // MARK: oblivious path

    func runOblivious(
        _ o: ObliviousLayout, inputs: UnsafeMutableBufferPointer<UnsafePointer<Float>>,
        margin: UnsafeMutablePointer<Float>, spread out: UnsafeMutablePointer<Float>?
    ) {
        binLayers(o.search, inputs: inputs)
        o.splitLayer.withUnsafeBufferPointer { layer in
            o.splitByte.withUnsafeBufferPointer { split in
                Self.leafIndices(
                    bins: bins, layer: layer.baseAddress!, split: split.baseAddress!, depth: o.depth,
                    trees: o.treeCount, into: indices)
            }
        }
        sumLeaves(o.leaves, trees: o.treeCount, margin: margin, spread: out)
    }

    // MARK: complete path

    func runComplete(
        _ c: CompleteLayout, inputs: UnsafeMutableBufferPointer<UnsafePointer<Float>>,
        margin: UnsafeMutablePointer<Float>, spread out: UnsafeMutablePointer<Float>?
    ) {
        let b = TreeKernel.block
        binLayers(c.search, inputs: inputs)
        c.depth.withUnsafeBufferPointer { depth in
            c.nodeLayer.withUnsafeBufferPointer { layer in
                c.nodeByte.withUnsafeBufferPointer { byte in
                    c.usedStart.withUnsafeBufferPointer { start in
                        c.used.withUnsafeBufferPointer { used in
                            AVX2Kernels.completeIndices(
                                bins: bins, binStride: b, cells: b, depth: depth.baseAddress!,
                                nodeLayer: layer.baseAddress!, nodeByte: byte.baseAddress!,
                                usedStart: start.baseAddress!, used: used.baseAddress!, trees: c.treeCount,
                                into: indices, outStride: b)
                        }
                    }
                }
            }
        }
        sumLeaves(c.leaves, trees: c.treeCount, margin: margin, spread: out)
    }

    /// Replaces each layer's block by its bins (`bins`, `layers × block`).
    func binLayers(_ search: BinSearch, inputs: UnsafeMutableBufferPointer<UnsafePointer<Float>>) {
        let b = TreeKernel.block
        let avx2 = compiled.leafSums == .avx2
        search.keys.withUnsafeBufferPointer { keys in
            search.roots.withUnsafeBufferPointer { roots in
                search.columns.withUnsafeBufferPointer { columns in
                    for j in 0..<inputs.count where search.levels[j] > 0 {
                        if avx2, let second = search.second[j] {
                            AVX2Kernels.bin(
                                inputs[j], cells: b, root: roots.baseAddress! + 8 * j,
                                columns: columns.baseAddress! + search.columnOffset[j], second: second,
                                ninth: search.ninth[j], into: bins + j * b)
                        } else {
                            Self.bin(inputs[j], keys: keys.baseAddress! + search.keyOffset[j], levels: search.levels[j], into: bins + j * b)
                        }
                    }
                }
            }
        }
    }

    /// The block's margin from the leaf indices in `indices` (and the spread when asked).
    func sumLeaves(_ q: QuantizedLeaves, trees: Int, margin: UnsafeMutablePointer<Float>, spread out: UnsafeMutablePointer<Float>?) {
        let b = TreeKernel.block
        sum(q.score, leafCount: q.leafCount, trees: trees, into: sums)
        let scale = Float(q.score.scale)
        let base = Float(compiled.ensemble.base)
        for c in 0..<b { margin[c] = Float(sums[c]) * scale + base }
        guard spread, let out, let squares = q.squares else { return }
        sum(squares, leafCount: q.leafCount, trees: trees, into: sums + b)
        let count = Double(max(trees, 1))
        for c in 0..<b {
            let m = Double(sums[c]) * q.score.scale
            let meanSquare = Double(sums[b + c]) * squares.scale / count
            out[c] = Float(max(0, meanSquare - m * m).squareRoot())
        }
    }

    /// `sums[c] = Σ_t table_t(indices[t][c])` for the block, with the kernel the layout chose.
    func sum(_ table: LeafTable, leafCount: Int, trees: Int, into sums: UnsafeMutablePointer<Int32>) {
        let b = TreeKernel.block
        if compiled.leafSums == .avx2 {
            table.planes.withUnsafeBufferPointer { planes in
                AVX2Kernels.sumLeafPlanes(
                    indices: indices, stride: b, cells: b, planes: planes.baseAddress!, planeCount: table.planeCount,
                    trees: trees, initial: table.planeOffset, into: sums)
            }
        } else {
            table.values.withUnsafeBufferPointer { leaves in
                Self.sumLeaves(indices: indices, leaves: leaves.baseAddress!, leafCount: leafCount, trees: trees, into: sums)
            }
        }
    }

    /// Bins one layer's block: `bin = #{thresholds < x}`, stored as `bin − 128`.
    ///
    /// A 9-ary search: each level compares x with a node's 8 keys, and the count of keys below
    /// x picks the child; `h` levels cover `9^h − 1` thresholds (8, 80, 728). The root's keys
    /// are the same for every cell, so the first level counts 8 cells at once (each key
    /// broadcast, one compare per key); deeper levels compare one cell with its node's 8 keys
    /// and sum the mask.
    @inline(never)
    static func bin(_ x: UnsafePointer<Float>, keys: UnsafePointer<Float>, levels: Int, into out: UnsafeMutablePointer<Int8>) {
        @inline(__always) func below(_ node: UnsafePointer<Float>, _ v: SIMD8<Float>) -> Int {
            let keys = UnsafeRawPointer(node).loadUnaligned(as: SIMD8<Float>.self)
            return Int((unsafeBitCast((keys .< v)._storage, to: SIMD8<UInt32>.self) & 1).wrappedSum())
        }
        let r0 = SIMD8<Float>(repeating: keys[0])
        let r1 = SIMD8<Float>(repeating: keys[1])
        let r2 = SIMD8<Float>(repeating: keys[2])
        let r3 = SIMD8<Float>(repeating: keys[3])
        let r4 = SIMD8<Float>(repeating: keys[4])
        let r5 = SIMD8<Float>(repeating: keys[5])
        let r6 = SIMD8<Float>(repeating: keys[6])
        let r7 = SIMD8<Float>(repeating: keys[7])
        var g = 0
        while g < TreeKernel.block {
            let v = UnsafeRawPointer(x + g).loadUnaligned(as: SIMD8<Float>.self)
            // Each true compare is −1: the negated sum counts the root keys below x.
            var m = (r0 .< v)._storage &+ (r1 .< v)._storage
            m &+= (r2 .< v)._storage &+ (r3 .< v)._storage
            m &+= (r4 .< v)._storage &+ (r5 .< v)._storage
            m &+= (r6 .< v)._storage &+ (r7 .< v)._storage
            let first = SIMD8<Int32>(repeating: 0) &- m
            // Eight bins, written as one word (byte c is cell c).
            var word: UInt64 = 0
            switch levels {
            case 1:
                for c in 0..<8 { word |= UInt64(UInt8(truncatingIfNeeded: Int(first[c]) &- 128)) &<< (8 &* c) }
            case 2:
                for c in 0..<8 {
                    let n = Int(first[c])
                    let w = SIMD8<Float>(repeating: x[g &+ c])
                    let bin = n &* 9 &+ below(keys + (8 &+ 8 &* n), w)
                    word |= UInt64(UInt8(truncatingIfNeeded: bin &- 128)) &<< (8 &* c)
                }
            default:
                for c in 0..<8 {
                    var n = Int(first[c])
                    let w = SIMD8<Float>(repeating: x[g &+ c])
                    n = n &* 9 &+ below(keys + (8 &+ 8 &* n), w)
                    let bin = n &* 9 &+ below(keys + (80 &+ 8 &* n), w)
                    word |= UInt64(UInt8(truncatingIfNeeded: bin &- 128)) &<< (8 &* c)
                }
            }
            UnsafeMutableRawPointer(out + g).storeBytes(of: word.littleEndian, as: UInt64.self)
            g &+= 8
        }
    }

    /// Leaf index bytes, `trees × block`: for 32 cells at a time, `idx = 2·idx + (bin > j)` per
    /// level (a signed byte compare gives −1 for true). Specialized for each depth up to 6, so the
    /// levels unroll (measured 1.2× on depth 6).
    @inline(never)
    static func leafIndices(
        bins: UnsafeMutablePointer<Int8>, layer: UnsafePointer<Int32>, split: UnsafePointer<Int8>,
        depth: Int, trees: Int, into out: UnsafeMutablePointer<UInt8>
    ) {
        switch depth {
        case 6: leafIndices(bins: bins, layer: layer, split: split, levels: 6, trees: trees, into: out)
        case 5: leafIndices(bins: bins, layer: layer, split: split, levels: 5, trees: trees, into: out)
        case 4: leafIndices(bins: bins, layer: layer, split: split, levels: 4, trees: trees, into: out)
        case 3: leafIndices(bins: bins, layer: layer, split: split, levels: 3, trees: trees, into: out)
        default: leafIndices(bins: bins, layer: layer, split: split, levels: depth, trees: trees, into: out)
        }
    }

    @inline(__always)
    static func leafIndices(
        bins: UnsafeMutablePointer<Int8>, layer: UnsafePointer<Int32>, split: UnsafePointer<Int8>,
        levels depth: Int, trees: Int, into out: UnsafeMutablePointer<UInt8>
    ) {
        let b = TreeKernel.block
        var s = 0
        for t in 0..<trees {
            var i0 = SIMD32<Int8>()
            var i1 = SIMD32<Int8>()
            var i2 = SIMD32<Int8>()
            var i3 = SIMD32<Int8>()
            for _ in 0..<depth {
                let row = UnsafeRawPointer(bins + Int(layer[s]) &* b)
                let th = SIMD32<Int8>(repeating: split[s])
                i0 = i0 &+ i0 &- (row.loadUnaligned(as: SIMD32<Int8>.self) .> th)._storage
                i1 = i1 &+ i1 &- (row.loadUnaligned(fromByteOffset: 32, as: SIMD32<Int8>.self) .> th)._storage
                i2 = i2 &+ i2 &- (row.loadUnaligned(fromByteOffset: 64, as: SIMD32<Int8>.self) .> th)._storage
                i3 = i3 &+ i3 &- (row.loadUnaligned(fromByteOffset: 96, as: SIMD32<Int8>.self) .> th)._storage
                s &+= 1
            }
            let o = UnsafeMutableRawPointer(out + t &* b)
            o.storeBytes(of: i0, as: SIMD32<Int8>.self)
            o.storeBytes(of: i1, toByteOffset: 32, as: SIMD32<Int8>.self)
            o.storeBytes(of: i2, toByteOffset: 64, as: SIMD32<Int8>.self)
            o.storeBytes(of: i3, toByteOffset: 96, as: SIMD32<Int8>.self)
        }
    }

    /// `sums[c] = Σ_t leaves[t][idx[t][c]]` in integers (exact, so the order does not matter).
    /// Sixteen cells per pass; eight cells' index bytes are read as one word and taken apart with shifts, which costs
    /// fewer instructions than eight byte loads.
    @inline(never)
    static func sumLeaves(
        indices: UnsafeMutablePointer<UInt8>, leaves: UnsafePointer<Int32>, leafCount: Int,
        trees: Int, into sums: UnsafeMutablePointer<Int32>
    ) {
        let b = TreeKernel.block
        var c = 0
        while c < b {
            var acc0 = SIMD8<Int32>()
            var acc1 = SIMD8<Int32>()
            var p = indices + c
            var table = leaves
            for _ in 0..<trees {
                let w = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
                let u = UInt64(littleEndian: UnsafeRawPointer(p + 8).loadUnaligned(as: UInt64.self))
                acc0 &+= SIMD8(
                    table[Int(w & 0xff)], table[Int((w &>> 8) & 0xff)], table[Int((w &>> 16) & 0xff)],
                    table[Int((w &>> 24) & 0xff)], table[Int((w &>> 32) & 0xff)], table[Int((w &>> 40) & 0xff)],
                    table[Int((w &>> 48) & 0xff)], table[Int(w &>> 56)])
                acc1 &+= SIMD8(
                    table[Int(u & 0xff)], table[Int((u &>> 8) & 0xff)], table[Int((u &>> 16) & 0xff)],
                    table[Int((u &>> 24) & 0xff)], table[Int((u &>> 32) & 0xff)], table[Int((u &>> 40) & 0xff)],
                    table[Int((u &>> 48) & 0xff)], table[Int(u &>> 56)])
                p += b
                table += leafCount
            }
            UnsafeMutableRawPointer(sums + c).storeBytes(of: acc0, as: SIMD8<Int32>.self)
            UnsafeMutableRawPointer(sums + c + 8).storeBytes(of: acc1, as: SIMD8<Int32>.self)
            c &+= 16
        }
    }

    // MARK: general path

    func runGeneral(
        _ g: GeneralLayout, inputs: UnsafeMutableBufferPointer<UnsafePointer<Float>>,
        margin: UnsafeMutablePointer<Float>, spread out: UnsafeMutablePointer<Float>?
    ) {
        let b = TreeKernel.block
        let k = inputs.count
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
                        Self.walk(
                            nodes: nodes.baseAddress! + start, values: values.baseAddress! + start,
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
    static func walk(
        nodes: UnsafePointer<GeneralNode>, values: UnsafePointer<Double>, raw: UnsafePointer<Double>?,
        depth: Int, cells: UnsafeMutablePointer<Float>, layers k: Int, totals: UnsafeMutablePointer<Double>
    ) {
        let b = TreeKernel.block
        var c = 0
        while c < b {
            let x0 = cells + c &* k
            let x1 = x0 + k
            let x2 = x1 + k
            let x3 = x2 + k
            var n0 = 0
            var n1 = 0
            var n2 = 0
            var n3 = 0
            for _ in 0..<depth {
                let a0 = nodes[n0]
                let a1 = nodes[n1]
                let a2 = nodes[n2]
                let a3 = nodes[n3]
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
