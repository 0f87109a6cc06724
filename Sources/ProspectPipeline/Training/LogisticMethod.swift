import Foundation
import ProspectCore

/// L2-penalized logistic regression (IRLS) of the deposit cells against a background sample;
/// a sampled background's share of all background cells is undone in the intercept (King &
/// Zeng 2001, prior correction), so the map holds per-cell probabilities.
///
/// Standard errors are the square roots of the diagonal of the inverse observed information
/// at the fit: the Hessian of the penalized negative log-likelihood the fit minimizes
/// (`LogisticRegression.fit`), each sample weighing 1 as in the fit. The prior correction adds
/// a constant to the intercept, which changes no standard error. With fewer than 10 deposit
/// cells per coefficient (slopes and class dummies; Peduzzi et al. 1996) the fit warns.
enum LogisticMethod {
    /// Deposit cells per coefficient below which the fit warns of overfitting.
    static let depositsPerParameter = 10

    static func fit(
        _ data: TrainingData, deposits: [TrainingData.DepositCell], area: TrainingArea, options: LogisticOptions,
        sampling: BackgroundSampling, threads: Int, progress: Progress?
    ) throws -> FittedModel {
        let stack = data.stack
        var summary = data.summary
        var warnings: [String] = []
        let parameters = ["l2": String(options.l2), "backgroundSample": String(sampling.size), "seed": String(sampling.seed)]
        let (sample, background, valid) = try Self.sample(
            data, deposits: deposits, area: area, sampling: sampling, threads: threads, progress: progress)
        summary.validCells = valid
        let design = LogisticDesign(layerNames: stack.layers.map(\.name), kinds: stack.layers.map(\.kind), columns: sample.columns)
        var (fit, model, coefficients) = design.fit(labels: sample.labels, l2: options.l2, threads: threads)
        if background.kept < background.eligible {
            model.intercept += Float(log(Double(background.kept) / Double(background.eligible)))
        }
        model.nodata = stack.nodata
        summary.coefficients = coefficients
        summary.interceptStandardError = fit.standardErrors[0]
        let coefficientCount = design.columnCount
        if deposits.count < Self.depositsPerParameter * coefficientCount {
            warnings.append(
                "logistic: \(coefficientCount) parameter\(coefficientCount == 1 ? "" : "s") for \(deposits.count) deposit cells (fewer than \(Self.depositsPerParameter) per parameter); expect overfitting"
            )
        }
        summary.backgroundCells = background.kept
        summary.converged = fit.converged
        if !fit.converged { warnings.append("logistic regression did not converge in \(fit.iterations) iterations; try a larger --l2") }
        summary.iterations = fit.iterations
        // Layers by the largest |z| of their terms.
        var strength: [String: Double] = [:]
        for r in coefficients { strength[r.layer] = max(strength[r.layer] ?? 0, abs(r.z ?? 0)) }
        summary.layerRanking = stack.layers.map(\.name).sorted { (strength[$0] ?? 0) > (strength[$1] ?? 0) }
        return FittedModel(payload: .logistic(model), parameters: parameters, summary: summary, warnings: warnings)
    }

    /// The rows of a fit: the deposit cells, then the background sample (`BackgroundSampler`).
    static func sample(
        _ data: TrainingData, deposits: [TrainingData.DepositCell], area: TrainingArea, sampling: BackgroundSampling, threads: Int,
        progress: Progress?
    ) throws -> (sample: LogisticSample, background: BackgroundSampler, validCells: Int) {
        let (background, valid) = try BackgroundSampler.sample(
            data, area: area, deposits: deposits.map(\.cell), size: sampling.size, seed: sampling.seed, threads: threads,
            progress: progress)
        let columns = data.stack.layers.indices.map { k in deposits.map { $0.values[k] } + background.columns[k] }
        let labels = [Bool](repeating: true, count: deposits.count) + [Bool](repeating: false, count: background.kept)
        return (LogisticSample(columns: columns, labels: labels), background, valid)
    }
}

/// The rows a logistic regression is fitted to: each layer's values (deposit cells first, then
/// the background sample, by cell) and the labels.
public struct LogisticSample: Sendable {
    /// `columns[k][i]`: layer k's value at row i.
    public var columns: [[Float]]
    /// True at the deposit cells.
    public var labels: [Bool]
}

extension Training {
    /// The rows `--method logistic` fits on `data` with `options` (every deposit cell, the
    /// whole grid): what a benchmark hands to another library to fit the same sample.
    public static func logisticSample(_ data: TrainingData, options: TrainingOptions) throws -> LogisticSample {
        try LogisticMethod.sample(
            data, deposits: data.depositCells, area: .all, sampling: options.sampling, threads: options.threads, progress: nil
        ).sample
    }
}
