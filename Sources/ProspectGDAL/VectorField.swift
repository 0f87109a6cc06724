/// An attribute field of a vector layer: its name and the kind of value it holds.
public struct VectorField: Sendable, Equatable {
    /// The kind of value a field holds, as far as evidence preparation cares.
    public enum FieldType: Sendable, Equatable {
        /// OGR `OFTInteger` or `OFTInteger64`.
        case integer
        /// OGR `OFTReal`.
        case real
        /// OGR `OFTString`.
        case string
        /// Anything else: dates, binary, lists.
        case other
    }

    public var name: String
    public var type: FieldType

    public init(name: String, type: FieldType) {
        self.name = name
        self.type = type
    }

    /// True for integer and real fields.
    public var isNumeric: Bool { type == .integer || type == .real }
}
