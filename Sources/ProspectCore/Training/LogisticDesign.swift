import Foundation

/// One fitted coefficient of a logistic model, reported per layer.
public struct LogisticCoefficientRow: Sendable, Codable {
    public var layer: String
    /// "slope" for a continuous layer, "class 3" for a categorical dummy.
    public var term: String
    /// Per original unit of the layer (per unit of x for a slope, the dummy coefficient for a class).
    public var coefficient: Double
    /// Per standard deviation of the layer in the sample (continuous), or the dummy coefficient.
    public var standardized: Double
    /// Standard error of `coefficient`, from the inverse of the observed information at the fit
    /// (`LogisticFit.standardErrors`); nil in a model file that has none.
    public var standardError: Double?
    /// Wald statistic `coefficient / standardError` (0 when the standard error is 0); nil in a
    /// model file that has none.
    public var z: Double?

    public init(layer: String, term: String, coefficient: Double, standardized: Double, standardError: Double?, z: Double?) {
        self.layer = layer
        self.term = term
        self.coefficient = coefficient
        self.standardized = standardized
        self.standardError = standardError
        self.z = z
    }
}

/// A logistic-regression design built from per-sample layer values, and its mapping back to an
/// `AdditiveModel`.
///
/// Continuous layers are standardized by the sample mean and standard deviation (population
/// form, unweighted) so that the ridge penalty treats them alike and the Newton iteration is well
/// conditioned; a fitted standardized slope `b` becomes `.linear(coefficient: b / sd, center: mean)`,
/// which gives the same linear predictor. Categorical layers get treatment (dummy) coding: one
/// 0/1 column per class except the reference class, the most frequent one in the sample (the
/// smallest code on ties); the term is `.lookup` with the reference class at 0 and codes not seen
/// in the sample also at 0 (`otherwise`). Codes are the values rounded to the nearest integer, as
/// `LayerTerm.contribution` reads them. A layer with no variation in the sample (a constant
/// continuous layer or a single class) contributes no column and a zero term.
public struct LogisticDesign: Sendable {
    public let layerNames: [String]
    public let kinds: [LayerKind]
    public let sampleCount: Int
    /// Per layer: sample mean and standard deviation (continuous; 0 and 1 for categorical).
    public let means: [Double]
    public let deviations: [Double]
    /// Per layer: the sorted class codes seen (categorical; empty for continuous).
    public let classCodes: [[Int32]]
    /// Per layer: the reference class (categorical).
    public let referenceCodes: [Int32?]
    /// The design, by columns: standardized slopes as doubles, each categorical layer's dummies
    /// as one class per sample.
    public let design: LogisticMatrix
    public let columnCount: Int
    /// For each design column: its layer and, for a dummy, its class code.
    public let columns: [(layer: Int, code: Int32?)]

    /// The design matrix, row-major, `sampleCount × columnCount` (dummies as 0 and 1).
    public var matrix: [Double] { (0..<sampleCount).flatMap { design.row($0) } }

    /// - Parameters:
    ///   - layerNames: one name per layer.
    ///   - kinds: one kind per layer.
    ///   - samples: `samples[i][k]` is the value of layer k at sample i; all values valid.
    public init(layerNames: [String], kinds: [LayerKind], samples: [[Float]]) {
        for s in samples { precondition(s.count == kinds.count, "one value per layer in every sample") }
        self.init(layerNames: layerNames, kinds: kinds, columns: kinds.indices.map { k in samples.map { $0[k] } })
    }

    /// - Parameters:
    ///   - layerNames: one name per layer.
    ///   - kinds: one kind per layer.
    ///   - values: `values[k][i]` is the value of layer k at sample i; all values valid.
    ///   - threads: workers of the continuous layers' means, deviations and standardized
    ///     columns (a layer's sums on one worker, in sample order: the same for any number).
    public init(layerNames: [String], kinds: [LayerKind], columns values: [[Float]], threads: Int = ProcessInfoCores.active) {
        precondition(layerNames.count == kinds.count && values.count == kinds.count, "one kind and one column per layer")
        let layers = kinds.count
        let n = values.first?.count ?? 0
        precondition(values.allSatisfy { $0.count == n }, "one value per sample in every column")
        var means = Array(repeating: 0.0, count: layers)
        var deviations = Array(repeating: 1.0, count: layers)
        var classCodes = Array(repeating: [Int32](), count: layers)
        var references = [Int32?](repeating: nil, count: layers)
        var columns: [(layer: Int, code: Int32?)] = []
        var densePositions: [Int] = []
        var denseLayers: [Int] = []
        var groups: [LogisticMatrix.Group] = []
        // Each continuous layer's mean and population standard deviation.
        let moments = UnsafeMutableBufferPointer<(mean: Double, sd: Double)>.allocate(capacity: max(1, layers))
        defer { moments.deallocate() }
        moments.initialize(repeating: (0, 0))
        let sharedMoments = UnsafeTransfer(moments)
        ParallelScorer.perform(items: n > 0 ? layers : 0, threads: threads) { k in
            guard kinds[k] == .continuous else { return }
            values[k].withUnsafeBufferPointer { column in
                var sum = 0.0
                for v in column { sum += Double(v) }
                let mean = sum / Double(n)
                var ss = 0.0
                for v in column {
                    let d = Double(v) - mean
                    ss += d * d
                }
                sharedMoments.value[k] = (mean, (ss / Double(n)).squareRoot())
            }
        }
        for k in 0..<layers {
            let column = values[k]
            switch kinds[k] {
            case .continuous:
                guard n > 0 else { continue }
                let (mean, sd) = moments[k]
                means[k] = mean
                if sd > 0, sd.isFinite {
                    deviations[k] = sd
                    densePositions.append(columns.count)
                    denseLayers.append(k)
                    columns.append((k, nil))
                }
            case .categorical:
                let codes = column.map(Self.code)
                var counts: [Int32: Int] = [:]
                for c in codes { counts[c, default: 0] += 1 }
                let sorted = counts.keys.sorted()
                classCodes[k] = sorted
                let reference = sorted.max { a, b in
                    counts[a]! != counts[b]! ? counts[a]! < counts[b]! : a > b
                }
                references[k] = reference
                var index: [Int32: Int32] = [:]
                var positions: [Int] = []
                for c in sorted where c != reference {
                    index[c] = Int32(positions.count)
                    positions.append(columns.count)
                    columns.append((k, c))
                }
                if !positions.isEmpty { groups.append(.init(positions: positions, rowClass: codes.map { index[$0] ?? -1 })) }
            }
        }
        self.layerNames = layerNames
        self.kinds = kinds
        self.sampleCount = n
        self.means = means
        self.deviations = deviations
        self.classCodes = classCodes
        self.referenceCodes = references
        // The standardized columns, one after another.
        let dense = [Double](unsafeUninitializedCapacity: denseLayers.count * n) { buffer, count in
            let shared = UnsafeTransfer(buffer)
            let (denseLayers, means, deviations) = (denseLayers, means, deviations)
            ParallelScorer.perform(items: denseLayers.count, threads: threads) { j in
                let k = denseLayers[j]
                let (mean, sd) = (means[k], deviations[k])
                let out = shared.value.baseAddress! + j * n
                values[k].withUnsafeBufferPointer { column in
                    for i in 0..<n { out[i] = (Double(column[i]) - mean) / sd }
                }
            }
            count = denseLayers.count * n
        }
        self.design = LogisticMatrix(rows: n, columns: columns.count, densePositions: densePositions, denseValues: dense, groups: groups)
        self.columnCount = columns.count
        self.columns = columns
    }

    /// The class code of a categorical value, as `LayerTerm.contribution` computes it.
    static func code(_ x: Float) -> Int32 { Int32(exactly: x.rounded()) ?? Int32.min }

    /// Fits the model and maps it back to layer terms.
    ///
    /// - Parameters:
    ///   - labels: one label per sample (true at deposits).
    ///   - weights: optional per-sample weights.
    ///   - l2: the ridge penalty on the (standardized) slopes; see `LogisticRegression.fit`.
    ///   - threads: workers of each Newton step's sums; the fit is the same for any number.
    /// - Returns: the raw fit on the design columns; the `AdditiveModel` (intercept and one term
    ///   per layer, nodata NaN) whose logit equals the fitted linear predictor; and one row per
    ///   design column (the reference classes have no row).
    public func fit(labels: [Bool], weights: [Double]? = nil, l2: Double, threads: Int = ProcessInfoCores.active)
        -> (fit: LogisticFit, model: AdditiveModel, rows: [LogisticCoefficientRow])
    {
        precondition(labels.count == sampleCount, "one label per sample")
        let fit = LogisticRegression.fit(design, y: labels, weights: weights, l2: l2, threads: threads)
        var rows: [LogisticCoefficientRow] = []
        var slopes = Array(repeating: 0.0, count: kinds.count)
        var lookups = Array(repeating: [Int32: Double](), count: kinds.count)
        for (j, column) in columns.enumerated() {
            let b = fit.coefficients[j + 1]
            let se = fit.standardErrors[j + 1]
            let k = column.layer
            if let c = column.code {
                lookups[k][c] = b
                rows.append(
                    LogisticCoefficientRow(
                        layer: layerNames[k], term: "class \(c)", coefficient: b,
                        standardized: b, standardError: se, z: se > 0 ? b / se : 0))
            } else {
                let sd = deviations[k]
                slopes[k] = b / sd
                rows.append(
                    LogisticCoefficientRow(
                        layer: layerNames[k], term: "slope", coefficient: b / sd,
                        standardized: b, standardError: se / sd, z: se > 0 ? b / se : 0))
            }
        }
        var terms: [LayerTerm] = []
        for k in kinds.indices {
            switch kinds[k] {
            case .continuous:
                terms.append(.linear(coefficient: Float(slopes[k]), center: Float(means[k])))
            case .categorical:
                let codes = classCodes[k]
                terms.append(.lookup(codes: codes, values: codes.map { Float(lookups[k][$0] ?? 0) }, otherwise: 0))
            }
        }
        let model = AdditiveModel(intercept: Float(fit.coefficients[0]), terms: terms)
        return (fit, model, rows)
    }
}
