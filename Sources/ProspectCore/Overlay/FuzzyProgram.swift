import Foundation

/// A fuzzy expression compiled into a flat list of vector passes over chunk-sized registers.
///
/// Layer-major, like `ScoreKernel`: each step streams one operand (a layer's memberships, read
/// straight from its buffer, or a register) over a chunk of `chunk` cells into a register that
/// stays in cache. An operator with operands o₁ … oₘ becomes one pass per operand:
/// `and`/`or` keep a running min/max, `product` a running product, `sum` a running product of
/// complements (then 1 − it), `gamma` both (then `exp(γ·ln S + (1 − γ)·ln P)`, with
/// `FastMath`). Operands that are operators are computed first into the next free register.
///
/// Missing cells become NaN as their layer is read and NaN flows through every pass (min and
/// max are written as blends that keep NaN); the last pass writes `outputNodata` there.
struct FuzzyProgram: Sendable {
    /// Cells per chunk: each register is `chunk` floats (8 KiB), three of them fit L1. 4096
    /// measured the same, 1024 about 20 % slower (the per-pass overhead).
    static let chunk = 2048

    enum Source: Sendable, Equatable {
        case layer(Int)
        case register(Int)
    }

    enum Step: Sendable, Equatable {
        /// r[dst] = m, or 1 − m.
        case load(dst: Int, source: Source, complement: Bool)
        case minimum(dst: Int, source: Source)
        case maximum(dst: Int, source: Source)
        /// r[dst] *= m, or *= 1 − m.
        case multiply(dst: Int, source: Source, complement: Bool)
        /// r[dst] = 1 − r[dst].
        case complement(dst: Int)
        /// r[product] = m and r[complements] = 1 − m, in one pass over the operand.
        case gammaLoad(product: Int, complements: Int, source: Source)
        /// r[product] *= m and r[complements] *= 1 − m, in one pass over the operand.
        case gammaMultiply(product: Int, complements: Int, source: Source)
        /// r[dst] = (1 − r[complements])^γ · r[product]^(1 − γ), 0 < γ < 1.
        case gamma(dst: Int, product: Int, complements: Int, gamma: Float)
        /// r[dst] = NaN where layer k is missing (layers the expression does not read).
        case mask(dst: Int, layer: Int)
    }

    let steps: [Step]
    let registers: Int
    let tables: FlatClassTables

    init(_ expression: FuzzyExpression, classTables: [ClassTable?]) {
        let layerCount = classTables.count
        tables = FlatClassTables(classTables)
        var steps: [Step] = []
        var highest = 0
        func source(_ e: FuzzyExpression, free: Int) -> Source {
            if case .layer(let k) = e { return .layer(k) }
            compile(e, into: free)
            return .register(free)
        }
        func compile(_ e: FuzzyExpression, into dst: Int) {
            highest = max(highest, dst)
            switch e {
            case .layer(let k):
                steps.append(.load(dst: dst, source: .layer(k), complement: false))
            case .and(let o), .or(let o), .product(let o), .gamma(0, let o):
                for (i, operand) in o.enumerated() {
                    let s = source(operand, free: dst + 1)
                    if i == 0 {
                        steps.append(.load(dst: dst, source: s, complement: false))
                        continue
                    }
                    switch e {
                    case .and: steps.append(.minimum(dst: dst, source: s))
                    case .or: steps.append(.maximum(dst: dst, source: s))
                    default: steps.append(.multiply(dst: dst, source: s, complement: false))
                    }
                }
            case .sum(let o), .gamma(1, let o):
                for (i, operand) in o.enumerated() {
                    let s = source(operand, free: dst + 1)
                    steps.append(i == 0 ? .load(dst: dst, source: s, complement: true) : .multiply(dst: dst, source: s, complement: true))
                }
                steps.append(.complement(dst: dst))
            case .gamma(let g, let o):
                let q = dst + 1
                highest = max(highest, q)
                for (i, operand) in o.enumerated() {
                    let s = source(operand, free: dst + 2)
                    steps.append(
                        i == 0
                            ? .gammaLoad(product: dst, complements: q, source: s)
                            : .gammaMultiply(product: dst, complements: q, source: s))
                }
                steps.append(.gamma(dst: dst, product: dst, complements: q, gamma: Float(g)))
            }
        }
        compile(expression, into: 0)
        let read = Set(expression.layers)
        for k in 0..<layerCount where !read.contains(k) { steps.append(.mask(dst: 0, layer: k)) }
        self.steps = steps
        self.registers = highest + 1
    }

    func run(
        _ overlay: FuzzyOverlay, layers: [UnsafeBufferPointer<Float>], output: UnsafeMutableBufferPointer<Float>,
        outputNodata: Float
    ) {
        let n = output.count
        guard n > 0 else { return }
        for layer in layers { precondition(layer.count >= n, "layer shorter than output") }
        let chunk = Self.chunk
        // Everything the passes read, through unsafe buffers: no reference counting per chunk.
        tables.withLookups { lookups in
            overlay.nodata.withUnsafeBufferPointer { nodata in
                steps.withUnsafeBufferPointer { steps in
                    layers.withUnsafeBufferPointer { layers in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk * registers) { scratch in
                            let base = scratch.baseAddress!
                            base.initialize(repeating: 0, count: chunk * registers)
                            let context = Context(layers: layers, nodata: nodata, lookups: lookups, registers: base)
                            var start = 0
                            while start < n {
                                let count = min(chunk, n - start)
                                for step in steps { Self.execute(step, context, start: start, count: count) }
                                ScoreKernel.finishLinear(
                                    base, output: output.baseAddress! + start, count: count, outputNodata: outputNodata)
                                start += count
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Passes

    /// Eight memberships at a time from a layer or a register.
    protocol Operand {
        /// Lanes `i ..< i + 8`, all in range.
        func load(_ i: Int) -> SIMD8<Float>
        /// Lanes `i ..< i + n`, n < 8; the other lanes are 0.
        func load(_ i: Int, partial n: Int) -> SIMD8<Float>
    }

    struct Register: Operand {
        let p: UnsafePointer<Float>
        @inline(__always) func load(_ i: Int) -> SIMD8<Float> { UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) }
        // Registers hold whole vectors, so the tail lanes can be read too.
        @inline(__always) func load(_ i: Int, partial n: Int) -> SIMD8<Float> { load(i) }
    }

    /// A continuous layer: its value clamped to [0, 1], NaN where missing.
    ///
    /// The vector constants are built once here: splatted inside the loop, LLVM scalarized the
    /// comparisons (measured 9 M cells/s instead of hundreds).
    struct Continuous: Operand {
        let p: UnsafePointer<Float>
        let zero = SIMD8<Float>(repeating: 0), one = SIMD8<Float>(repeating: 1), nan = SIMD8<Float>(repeating: .nan)
        let nd: SIMD8<Float>
        init(p: UnsafePointer<Float>, nodata: Float) {
            self.p = p
            nd = SIMD8(repeating: nodata)
        }
        @inline(__always) func membership(_ x: SIMD8<Float>) -> SIMD8<Float> {
            var m = x
            m.replace(with: zero, where: x .< zero)
            m.replace(with: one, where: x .> one)
            m.replace(with: nan, where: (x .== nd) .| (x - x .!= zero))  // x - x: NaN unless x is finite
            return m
        }
        @inline(__always) func load(_ i: Int) -> SIMD8<Float> { membership(UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)) }
        @inline(__always) func load(_ i: Int, partial n: Int) -> SIMD8<Float> {
            var x = zero
            for j in 0..<n { x[j] = p[i + j] }
            return membership(x)
        }
    }

    /// A categorical layer: its class's score, NaN where missing.
    struct Categorical: Operand {
        let p: UnsafePointer<Float>
        let lookup: ClassTable.Lookup
        let nan = SIMD8<Float>(repeating: .nan), zero = SIMD8<Float>(repeating: 0)
        let nd: SIMD8<Float>
        init(p: UnsafePointer<Float>, nodata: Float, lookup: ClassTable.Lookup) {
            self.p = p
            self.lookup = lookup
            nd = SIMD8(repeating: nodata)
        }
        @inline(__always) func membership(_ x: SIMD8<Float>) -> SIMD8<Float> {
            var m = lookup.score(x)
            m.replace(with: nan, where: (x .== nd) .| (x - x .!= zero))
            return m
        }
        @inline(__always) func load(_ i: Int) -> SIMD8<Float> { membership(UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)) }
        @inline(__always) func load(_ i: Int, partial n: Int) -> SIMD8<Float> {
            var x = SIMD8<Float>(repeating: 0)
            for j in 0..<n { x[j] = p[i + j] }
            return membership(x)
        }
    }

    /// r[i ..< i + 8] = f(r, operand) over the chunk; the tail reads the operand partially.
    @inline(__always)
    static func sweep<O: Operand>(
        _ operand: O, count: Int, into r: UnsafeMutablePointer<Float>,
        _ f: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>
    ) {
        let full = count & ~7
        var i = 0
        while i < full {
            let a = UnsafeRawPointer(r + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(r + i).storeBytes(of: f(a, operand.load(i)), as: SIMD8<Float>.self)
            i += 8
        }
        if full < count {
            let a = UnsafeRawPointer(r + full).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(r + full).storeBytes(of: f(a, operand.load(full, partial: count - full)), as: SIMD8<Float>.self)
        }
    }

    /// (p, q)[i ..< i + 8] = f(p, q, operand): two registers from one pass over the operand.
    @inline(__always)
    static func sweep2<O: Operand>(
        _ operand: O, count: Int, into p: UnsafeMutablePointer<Float>, _ q: UnsafeMutablePointer<Float>,
        _ f: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>)
    ) {
        var i = 0
        while i < count {
            let m = i + 8 <= count ? operand.load(i) : operand.load(i, partial: count - i)
            let (a, b) = f(
                UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self), UnsafeRawPointer(q + i).loadUnaligned(as: SIMD8<Float>.self),
                m)
            UnsafeMutableRawPointer(p + i).storeBytes(of: a, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(q + i).storeBytes(of: b, as: SIMD8<Float>.self)
            i += 8
        }
    }

    @inline(__always)
    static func apply<O: Operand>(_ step: Step, _ operand: O, count: Int, registers: UnsafeMutablePointer<Float>) {
        let one = SIMD8<Float>(repeating: 1)
        switch step {
        case .load(let dst, _, let complement):
            let r = registers + dst * chunk
            if complement {
                sweep(operand, count: count, into: r) { _, m in one - m }
            } else {
                sweep(operand, count: count, into: r) { _, m in m }
            }
        case .minimum(let dst, _):
            // Blends that keep a NaN from either side: m replaces a when m < a or m is NaN,
            // unless a is NaN.
            sweep(operand, count: count, into: registers + dst * chunk) { a, m in
                a.replacing(with: m, where: .!(m .>= a) .& (a .== a))
            }
        case .maximum(let dst, _):
            sweep(operand, count: count, into: registers + dst * chunk) { a, m in
                a.replacing(with: m, where: .!(m .<= a) .& (a .== a))
            }
        case .multiply(let dst, _, let complement):
            let r = registers + dst * chunk
            if complement {
                sweep(operand, count: count, into: r) { a, m in a * (one - m) }
            } else {
                sweep(operand, count: count, into: r) { a, m in a * m }
            }
        case .gammaLoad(let product, let complements, _):
            sweep2(operand, count: count, into: registers + product * chunk, registers + complements * chunk) { _, _, m in (m, one - m) }
        case .gammaMultiply(let product, let complements, _):
            sweep2(operand, count: count, into: registers + product * chunk, registers + complements * chunk) { p, q, m in
                (p * m, q * (one - m))
            }
        default:
            preconditionFailure("not an operand step")
        }
    }

    /// What the passes of one `run` read.
    struct Context {
        let layers: UnsafeBufferPointer<UnsafeBufferPointer<Float>>
        let nodata: UnsafeBufferPointer<Float>
        let lookups: UnsafeBufferPointer<ClassTable.Lookup?>
        let registers: UnsafeMutablePointer<Float>
    }

    static func execute(_ step: Step, _ context: Context, start: Int, count: Int) {
        let registers = context.registers
        let source: Source
        switch step {
        case .load(_, let s, _), .minimum(_, let s), .maximum(_, let s), .multiply(_, let s, _),
            .gammaLoad(_, _, let s), .gammaMultiply(_, _, let s):
            source = s
        case .complement(let dst):
            let r = registers + dst * chunk
            let one = SIMD8<Float>(repeating: 1)
            for i in stride(from: 0, to: count, by: 8) {
                let a = UnsafeRawPointer(r + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(r + i).storeBytes(of: one - a, as: SIMD8<Float>.self)
            }
            return
        case .gamma(let dst, let product, let complements, let g):
            let r = registers + dst * chunk
            let p = registers + product * chunk
            let q = registers + complements * chunk
            let zero = SIMD8<Float>(repeating: 0)
            let one = SIMD8<Float>(repeating: 1)
            for i in stride(from: 0, to: count, by: 8) {
                let pv = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
                let sv = one - UnsafeRawPointer(q + i).loadUnaligned(as: SIMD8<Float>.self)
                var y = FastMath.exp(FastMath.log(sv) * g + FastMath.log(pv) * (1 - g))
                y.replace(with: zero, where: pv .== zero)  // 0^(1−γ) = 0; also covers S = 0
                UnsafeMutableRawPointer(r + i).storeBytes(of: y, as: SIMD8<Float>.self)
            }
            return
        case .mask(let dst, let k):
            let r = registers + dst * chunk
            let x = context.layers[k].baseAddress! + start
            let nodata = context.nodata[k]
            for i in 0..<count where !x[i].isFinite || x[i] == nodata { r[i] = .nan }
            return
        }
        switch source {
        case .register(let j):
            apply(step, Register(p: registers + j * chunk), count: count, registers: registers)
        case .layer(let k):
            let p = context.layers[k].baseAddress! + start
            if let lookup = context.lookups[k] {
                apply(step, Categorical(p: p, nodata: context.nodata[k], lookup: lookup), count: count, registers: registers)
            } else {
                apply(step, Continuous(p: p, nodata: context.nodata[k]), count: count, registers: registers)
            }
        }
    }
}
