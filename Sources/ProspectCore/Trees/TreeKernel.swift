import Foundation

/// Scores cells with a compiled tree ensemble; nodata where any layer is missing.
///
/// Cells go in chunks of `chunk`: validity and (oblivious path) each layer's bins are computed
/// over the whole chunk, one layer at a time, so each input is read in long sequential runs;
/// then the trees run over blocks of `block` cells.
public enum TreeKernel {
    /// Cells per pass over the trees. The oblivious path keeps one leaf-index byte per tree and
    /// cell (6.4 KB for 100 trees) next to the leaf tables (25.6 KB at depth 6) in L1.
    public static let block = 64
    /// Cells per chunk (a multiple of `block`).
    public static let chunk = 1024

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

    /// Fast kernel: the compiled layout's path. Agrees with `reference` to 1e-6 in probability
    /// (see `ObliviousLayout.quantize` and `FastMath`) and 1e-4 in spread.
    static func score(_ compiled: CompiledTrees, layers: [UnsafeBufferPointer<Float>],
                      outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        let k = compiled.layerCount
        precondition(layers.count == k, "one buffer per layer")
        let n = outputs[0].count
        guard n > 0 else { return }
        for layer in layers { precondition(layer.count >= n, "layer shorter than output") }
        for out in outputs { precondition(out.count >= n, "output band shorter than the score") }
        let spread = outputs.count > 1 && compiled.ensemble.output == .average
        let scratch = Scratch(compiled)
        defer { scratch.release() }
        let logistic = compiled.ensemble.output == .logistic
        compiled.nodata.withUnsafeBufferPointer { nodata in
            let run = { (tables: Tables) in
                var start = 0
                while start < n {
                    let count = min(chunk, n - start)
                    for j in 0..<k {
                        if count == chunk {
                            scratch.inputs[j] = layers[j].baseAddress! + start
                        } else {
                            // A ragged last chunk: copied and padded with a valid value.
                            let row = scratch.padded + j * chunk
                            for c in 0..<count { row[c] = layers[j][start + c] }
                            for c in count..<chunk { row[c] = row[0] }
                            scratch.inputs[j] = UnsafePointer(row)
                        }
                    }
                    validity(inputs: scratch.inputs, layers: k, nodata: nodata.baseAddress!, invalid: scratch.invalid)
                    switch tables {
                    case let .oblivious(t): runOblivious(t, scratch: scratch, layers: k, spread: spread)
                    case let .general(g): runGeneral(g, scratch: scratch, layers: k, spread: spread)
                    }
                    finish(margin: scratch.margin, invalid: scratch.invalid, logistic: logistic,
                           output: outputs[0].baseAddress! + start, count: count, outputNodata: outputNodata)
                    if spread {
                        let out = outputs[1].baseAddress! + start
                        for c in 0..<count { out[c] = scratch.invalid[c].isNaN ? outputNodata : scratch.spread[c] }
                    }
                    start += count
                }
            }
            if let o = compiled.oblivious {
                o.withTables { run(.oblivious($0)) }
            } else if let g = compiled.general {
                g.withTables { run(.general($0)) }
            }
        }
    }

    enum Tables {
        case oblivious(ObliviousTables)
        case general(GeneralTables)
    }

    /// Scratch memory for one `score` call.
    struct Scratch {
        var inputs: UnsafeMutablePointer<UnsafePointer<Float>>
        /// `layers × chunk`: a ragged last chunk, copied.
        var padded: UnsafeMutablePointer<Float>
        /// 0, or NaN where a layer is missing.
        var invalid: UnsafeMutablePointer<Float>
        /// The margin (forests: base + mean) and the spread.
        var margin: UnsafeMutablePointer<Float>
        var spread: UnsafeMutablePointer<Float>
        /// Oblivious: `layers × chunk` bins (`bin − 128`), `trees × block` leaf indices, sums.
        var bins: UnsafeMutablePointer<Int8>
        var indices: UnsafeMutablePointer<UInt8>
        var sums: UnsafeMutablePointer<Int32>
        /// General: one block's values cell-major (`block × layers`) and its sums.
        var cellMajor: UnsafeMutablePointer<Float>
        var totals: UnsafeMutablePointer<Double>
        var nodes: UnsafeMutablePointer<Int32>

        init(_ compiled: CompiledTrees) {
            let k = max(compiled.layerCount, 1), c = TreeKernel.chunk, b = TreeKernel.block
            let trees = compiled.ensemble.trees.count
            let oblivious = compiled.path == .oblivious
            inputs = .allocate(capacity: k)
            padded = .allocate(capacity: k * c)
            invalid = .allocate(capacity: c)
            margin = .allocate(capacity: c)
            spread = .allocate(capacity: c)
            bins = .allocate(capacity: oblivious ? k * c : 0)
            bins.initialize(repeating: 0, count: oblivious ? k * c : 0)   // rows no split reads stay defined
            indices = .allocate(capacity: oblivious ? trees * b : 0)
            sums = .allocate(capacity: oblivious ? 2 * b : 0)
            cellMajor = .allocate(capacity: oblivious ? 0 : b * k)
            totals = .allocate(capacity: oblivious ? 0 : 2 * b)
            nodes = .allocate(capacity: oblivious ? 0 : b)
        }

        func release() {
            inputs.deallocate(); padded.deallocate(); invalid.deallocate(); margin.deallocate(); spread.deallocate()
            bins.deallocate(); indices.deallocate(); sums.deallocate(); cellMajor.deallocate(); totals.deallocate()
            nodes.deallocate()
        }
    }

    /// `invalid[c]` = NaN where any layer is nodata or NaN, else 0, over one chunk.
    @inline(__always)
    static func validity(inputs: UnsafeMutablePointer<UnsafePointer<Float>>, layers k: Int, nodata: UnsafePointer<Float>,
                         invalid: UnsafeMutablePointer<Float>) {
        let zero = SIMD8<Float>(repeating: 0), nan = SIMD8<Float>(repeating: .nan)
        for g in stride(from: 0, to: chunk, by: 8) {
            UnsafeMutableRawPointer(invalid + g).storeBytes(of: zero, as: SIMD8<Float>.self)
        }
        for j in 0..<k {
            let x = inputs[j], nd = SIMD8<Float>(repeating: nodata[j])
            for g in stride(from: 0, to: chunk, by: 8) {
                let v = UnsafeRawPointer(x + g).loadUnaligned(as: SIMD8<Float>.self)
                let row = UnsafeMutableRawPointer(invalid + g)
                row.storeBytes(of: row.load(as: SIMD8<Float>.self).replacing(with: nan, where: (v .== nd) .| (v .!= v)),
                               as: SIMD8<Float>.self)
            }
        }
    }

    /// `output = sigmoid(margin)` (or the margin itself for forests), `outputNodata` where invalid.
    @inline(__always)
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

    // MARK: oblivious path

    static func runOblivious(_ t: ObliviousTables, scratch s: Scratch, layers k: Int, spread: Bool) {
        for j in 0..<k where t.levels[j] > 0 {
            bin(s.inputs[j], keys: t.keys + t.keyOffset[j], levels: t.levels[j], into: s.bins + j * chunk)
        }
        let scale = Float(t.scale), base = t.base
        let trees = Double(max(t.trees, 1))
        for first in stride(from: 0, to: chunk, by: block) {
            leafIndices(bins: s.bins + first, layer: t.splitLayer, split: t.splitByte, depth: t.depth, trees: t.trees,
                        into: s.indices)
            sumLeaves(indices: s.indices, leaves: t.leaves, leafCount: 1 << t.depth, trees: t.trees, into: s.sums)
            let margin = s.margin + first
            for c in 0..<block { margin[c] = Float(s.sums[c]) * scale + base }
            guard spread else { continue }
            sumLeaves(indices: s.indices, leaves: t.squares, leafCount: 1 << t.depth, trees: t.trees, into: s.sums + block)
            for c in 0..<block {
                let mean = Double(s.sums[c]) * t.scale
                let meanSquare = Double(s.sums[block + c]) * t.squareScale / trees
                s.spread[first + c] = Float(max(0, meanSquare - mean * mean).squareRoot())
            }
        }
    }

    /// Bins one layer's chunk: `bin = #{thresholds < x}`, stored as `bin − 128`.
    ///
    /// A 9-ary search: each level compares x with a node's 8 keys in one SIMD compare, and the
    /// count of keys below x (a movemask and popcount) picks the child; `h` levels cover
    /// `9^h − 1` thresholds (8, 80, 728).
    @inline(__always)
    static func bin(_ x: UnsafePointer<Float>, keys: UnsafePointer<Float>, levels: Int, into out: UnsafeMutablePointer<Int8>) {
        @inline(__always) func below(_ node: UnsafePointer<Float>, _ v: SIMD8<Float>) -> Int {
            let keys = UnsafeRawPointer(node).loadUnaligned(as: SIMD8<Float>.self)
            return Int((unsafeBitCast((keys .< v)._storage, to: SIMD8<UInt32>.self) & 1).wrappedSum())
        }
        switch levels {
        case 1:
            for c in 0..<chunk {
                let v = SIMD8<Float>(repeating: x[c])
                out[c] = Int8(truncatingIfNeeded: below(keys, v) &- 128)
            }
        case 2:
            for c in 0..<chunk {
                let v = SIMD8<Float>(repeating: x[c])
                let n = below(keys, v)
                out[c] = Int8(truncatingIfNeeded: n &* 9 &+ below(keys + (8 &+ 8 &* n), v) &- 128)
            }
        default:
            for c in 0..<chunk {
                let v = SIMD8<Float>(repeating: x[c])
                var n = below(keys, v)
                n = n &* 9 &+ below(keys + (8 &+ 8 &* n), v)
                out[c] = Int8(truncatingIfNeeded: n &* 9 &+ below(keys + (80 &+ 8 &* n), v) &- 128)
            }
        }
    }

    /// Leaf index bytes, `trees × block`: for 32 cells at a time, `idx = 2·idx + (bin > j)` per
    /// level (a signed byte compare gives −1 for true). `bins` rows are `chunk` apart.
    @inline(__always)
    static func leafIndices(bins: UnsafeMutablePointer<Int8>, layer: UnsafePointer<Int32>, split: UnsafePointer<Int8>,
                            depth: Int, trees: Int, into out: UnsafeMutablePointer<UInt8>) {
        var s = 0
        for t in 0..<trees {
            var i0 = SIMD32<Int8>(), i1 = SIMD32<Int8>()
            for _ in 0..<depth {
                let row = UnsafeRawPointer(bins + Int(layer[s]) &* chunk)
                let th = SIMD32<Int8>(repeating: split[s])
                let v0 = row.loadUnaligned(as: SIMD32<Int8>.self)
                let v1 = row.loadUnaligned(fromByteOffset: 32, as: SIMD32<Int8>.self)
                i0 = i0 &+ i0 &- (v0 .> th)._storage
                i1 = i1 &+ i1 &- (v1 .> th)._storage
                s &+= 1
            }
            let o = UnsafeMutableRawPointer(out + t &* block)
            o.storeBytes(of: i0, as: SIMD32<Int8>.self)
            o.storeBytes(of: i1, toByteOffset: 32, as: SIMD32<Int8>.self)
        }
    }

    /// `sums[c] = Σ_t leaves[t][idx[t][c]]` in integers (exact, so the order does not matter).
    @inline(__always)
    static func sumLeaves(indices: UnsafeMutablePointer<UInt8>, leaves: UnsafePointer<Int32>, leafCount: Int,
                          trees: Int, into sums: UnsafeMutablePointer<Int32>) {
        var c = 0
        while c < block {
            var lo = SIMD8<Int32>(), hi = SIMD8<Int32>()
            var p = indices + c
            var table = leaves
            for _ in 0..<trees {
                lo &+= SIMD8(table[Int(p[0])], table[Int(p[1])], table[Int(p[2])], table[Int(p[3])],
                             table[Int(p[4])], table[Int(p[5])], table[Int(p[6])], table[Int(p[7])])
                hi &+= SIMD8(table[Int(p[8])], table[Int(p[9])], table[Int(p[10])], table[Int(p[11])],
                             table[Int(p[12])], table[Int(p[13])], table[Int(p[14])], table[Int(p[15])])
                p += block
                table += leafCount
            }
            UnsafeMutableRawPointer(sums + c).storeBytes(of: lo, as: SIMD8<Int32>.self)
            UnsafeMutableRawPointer(sums + c + 8).storeBytes(of: hi, as: SIMD8<Int32>.self)
            c &+= 16
        }
    }

    // MARK: general path

    static func runGeneral(_ g: GeneralTables, scratch s: Scratch, layers k: Int, spread: Bool) {
        let trees = Double(max(g.trees, 1))
        for first in stride(from: 0, to: chunk, by: block) {
            for j in 0..<k {
                let x = s.inputs[j] + first
                for c in 0..<block { s.cellMajor[c &* k &+ j] = x[c] }
            }
            s.totals.initialize(repeating: 0, count: 2 * block)
            for t in 0..<g.trees {
                let start = g.treeStart[t]
                walk(nodes: g.nodes + start, depth: g.treeDepth[t], cells: s.cellMajor, layers: k, at: s.nodes)
                let values = g.values + start
                for c in 0..<block { s.totals[c] += values[Int(s.nodes[c])] }
                if spread {
                    let raw = g.raw + start
                    for c in 0..<block {
                        let v = raw[Int(s.nodes[c])]
                        s.totals[block + c] += v * v
                    }
                }
            }
            for c in 0..<block { s.margin[first + c] = Float(g.base + s.totals[c]) }
            guard spread else { continue }
            for c in 0..<block {
                let mean = s.totals[c]
                s.spread[first + c] = Float(max(0, s.totals[block + c] / trees - mean * mean).squareRoot())
            }
        }
    }

    /// One tree over a block, level by level: `node = child + (x > τ)` for every cell, `depth`
    /// times (leaves are their own children), so the cells' walks are independent.
    @inline(__always)
    static func walk(nodes: UnsafePointer<GeneralNode>, depth: Int, cells: UnsafeMutablePointer<Float>, layers k: Int,
                     at node: UnsafeMutablePointer<Int32>) {
        node.initialize(repeating: 0, count: block)
        for _ in 0..<depth {
            var x = cells
            for c in 0..<block {
                let a = nodes[Int(node[c])]
                node[c] = a.child &+ (x[Int(a.feature)] > a.threshold ? 1 : 0)
                x += k
            }
        }
    }
}

/// Pointers to an oblivious layout's tables, valid inside `ObliviousLayout.withTables`.
struct ObliviousTables {
    var keys: UnsafePointer<Float>
    var keyOffset: UnsafePointer<Int>
    var levels: UnsafePointer<Int>
    var splitLayer: UnsafePointer<Int32>
    var splitByte: UnsafePointer<Int8>
    var leaves: UnsafePointer<Int32>
    var squares: UnsafePointer<Int32>
    var depth: Int
    var trees: Int
    var scale: Double
    var squareScale: Double
    var base: Float
}

extension ObliviousLayout {
    func withTables<R>(_ body: (ObliviousTables) -> R) -> R {
        keys.withUnsafeBufferPointer { keys in
            keyOffset.withUnsafeBufferPointer { offsets in
                levels.withUnsafeBufferPointer { levels in
                    splitLayer.withUnsafeBufferPointer { layer in
                        splitByte.withUnsafeBufferPointer { split in
                            leaves.withUnsafeBufferPointer { leaves in
                                squares.withUnsafeBufferPointer { squares in
                                    body(ObliviousTables(
                                        keys: keys.baseAddress!, keyOffset: offsets.baseAddress!,
                                        levels: levels.baseAddress!, splitLayer: layer.baseAddress!, splitByte: split.baseAddress!,
                                        leaves: leaves.baseAddress!, squares: squares.baseAddress ?? leaves.baseAddress!,
                                        depth: depth, trees: treeCount, scale: scale, squareScale: squareScale, base: Float(base)))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Pointers to a general layout's tables, valid inside `GeneralLayout.withTables`.
struct GeneralTables {
    var nodes: UnsafePointer<GeneralNode>
    var values: UnsafePointer<Double>
    var raw: UnsafePointer<Double>
    var treeStart: UnsafePointer<Int>
    var treeDepth: UnsafePointer<Int>
    var trees: Int
    var base: Double
}

extension GeneralLayout {
    func withTables<R>(_ body: (GeneralTables) -> R) -> R {
        nodes.withUnsafeBufferPointer { nodes in
            values.withUnsafeBufferPointer { values in
                raw.withUnsafeBufferPointer { raw in
                    treeStart.withUnsafeBufferPointer { starts in
                        treeDepth.withUnsafeBufferPointer { depths in
                            body(GeneralTables(nodes: nodes.baseAddress!, values: values.baseAddress!,
                                               raw: raw.baseAddress ?? values.baseAddress!, treeStart: starts.baseAddress!,
                                               treeDepth: depths.baseAddress!, trees: starts.count, base: base))
                        }
                    }
                }
            }
        }
    }
}
