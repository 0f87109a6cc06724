import ProspectCore

/// How cells and deposits are split for a held-out measure: whole square blocks of the map
/// (spatial), or each cell and deposit on its own at random (the usual, optimistic split on
/// clustered deposits: Roberts et al. 2017, Airola et al. 2019).
public enum HoldoutScheme: String, Sendable, CaseIterable, Codable {
    case blocks, random
}

/// Cross-validation options, typed and complete: what `CrossValidationSettings.options()`
/// returns once every value has been checked.
public struct CrossValidationOptions: Sendable, Equatable {
    /// The numbers of folds accepted.
    public static let foldRange = 2...100

    /// K: the folds the cells and deposits are dealt to; each is held out of one model.
    public var folds = 5
    public var scheme: HoldoutScheme = .blocks
    /// The side of the square blocks (`.blocks`), in km; nil: chosen from the deposits' spacing
    /// (`SpatialBlocks.choose`).
    public var blockKm: Double?
    /// Seeds the fold assignment.
    public var seed: UInt64 = 1
    /// Workers of the scoring pass.
    public var threads = ProcessInfoCores.active

    public init() {}
}

/// The cross-validation options as a user gave them (nil: not given), from `prospect cv`'s
/// flags or a study file's `validation: {cv: …}`.
public struct CrossValidationSettings: Sendable {
    public var folds: Int?
    public var scheme: HoldoutScheme?
    public var blockKm: Double?
    public var seed: Int?
    public var threads: Int?

    public init() {}

    /// Checks every given value and returns the complete options. A block size larger than
    /// the map is refused when the map is known (`SpatialBlocks.choose`).
    /// - Throws: `OptionError` naming the first option at fault.
    public func options() throws(OptionError) -> CrossValidationOptions {
        var o = CrossValidationOptions()
        if let folds {
            try Check.count(
                folds, .folds, atLeast: CrossValidationOptions.foldRange.lowerBound, atMost: CrossValidationOptions.foldRange.upperBound,
                what: " folds")
            o.folds = folds
        }
        if let scheme { o.scheme = scheme }
        if let blockKm {
            try Check.positive(blockKm, .blockKm, unit: " of km")
            guard o.scheme == .blocks else { throw OptionError(.blockKm, "the random scheme deals single cells and takes no block size") }
            o.blockKm = blockKm
        }
        if let seed {
            try Check.count(seed, .foldSeed, atLeast: 0)
            o.seed = UInt64(seed)
        }
        if let threads {
            try Check.count(threads, .trainingThreads, atLeast: 1)
            o.threads = threads
        }
        return o
    }
}
