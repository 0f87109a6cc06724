import Foundation

/// Where a tree ensemble comes from: grown by `TreeLearner` or imported from a library.
///
/// The model file records it as the method (`"rf"`, `"gbt"`, `"lightgbm"`, `"xgboost"`); the
/// ensemble scores the same whatever its origin.
public enum TreeOrigin: String, Sendable, CaseIterable {
    /// A random forest grown by `TreeLearner`.
    case randomForest = "rf"
    /// Gradient-boosted trees grown by `TreeLearner`.
    case gradientBoosting = "gbt"
    /// A LightGBM model read by `prospect import`.
    case lightgbm
    /// An XGBoost model read by `prospect import`.
    case xgboost

    /// The origin of an ensemble `TreeLearner` grew with `method`.
    public init(_ method: TreeLearner.Method) {
        switch method {
        case .randomForest: self = .randomForest
        case .gradientBoosting: self = .gradientBoosting
        }
    }
}

/// The model a model file holds: exactly one, of one kind.
///
/// The model file's `method` follows from it, and an attachment exists only where it belongs
/// (the weights' variances only with weights of evidence).
public enum ModelPayload: Sendable, Equatable {
    /// Weights of evidence (`"wofe"`, stored under `"model"`) with the weights' variances
    /// (`"wofeVariance"`), for the posterior's standard deviation and confidence bands. The
    /// variance is nil in files written before it existed (format versions 1 and 2).
    case weightsOfEvidence(AdditiveModel, variance: WofEVariance?)
    /// Logistic regression (`"logistic"`, stored under `"model"`).
    case logistic(AdditiveModel)
    /// A tree ensemble (`"trees"`, format version 3); its origin is the method.
    case trees(TreeEnsemble, origin: TreeOrigin)
    /// A fuzzy overlay (`"fuzzy"`, format version 3), knowledge-driven.
    case fuzzy(FuzzyOverlayModel)
    /// A weighted index overlay (`"index"`, format version 3), knowledge-driven.
    case index(WeightedIndexModel)

    /// Every method a model file may name, in the order of the cases.
    public static let methods = ["wofe", "logistic"] + TreeOrigin.allCases.map(\.rawValue) + ["fuzzy", "index"]

    /// The method the model file records: `"wofe"`, `"logistic"`, `"rf"`, `"gbt"`, `"lightgbm"`,
    /// `"xgboost"`, `"fuzzy"` or `"index"`.
    public var method: String {
        switch self {
        case .weightsOfEvidence: "wofe"
        case .logistic: "logistic"
        case .trees(_, let origin): origin.rawValue
        case .fuzzy: "fuzzy"
        case .index: "index"
        }
    }
}
