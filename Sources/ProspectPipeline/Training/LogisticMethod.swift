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
        sampling: BackgroundSampling, progress: Progress?
    ) throws -> FittedModel {
        let stack = data.stack
        var summary = data.summary
        var warnings: [String] = []
        let parameters = ["l2": String(options.l2), "backgroundSample": String(sampling.size), "seed": String(sampling.seed)]
        let (background, valid) = try BackgroundSampler.sample(
            data, area: area, deposits: Set(deposits.map(\.cell)),
            size: sampling.size, seed: sampling.seed, progress: progress)
        summary.validCells = valid
        let rows = (0..<background.kept).map { i in background.columns.map { $0[i] } }
        let samples = deposits.map(\.values) + rows
        let labels = [Bool](repeating: true, count: deposits.count) + [Bool](repeating: false, count: rows.count)
        let design = LogisticDesign(layerNames: stack.layers.map(\.name), kinds: stack.layers.map(\.kind), samples: samples)
        var (fit, model, coefficients) = design.fit(labels: labels, l2: options.l2)
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
}
