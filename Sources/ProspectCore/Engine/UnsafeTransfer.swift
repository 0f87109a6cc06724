/// Hands a buffer pointer to concurrent workers.
///
/// The one place the core opts out of Sendable checking. Invariant: while workers run, each
/// writes only its own disjoint range of the buffer and nobody reads a range being written;
/// reads of read-only inputs are unrestricted.
public struct UnsafeTransfer<Value>: @unchecked Sendable {
    public let value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}
