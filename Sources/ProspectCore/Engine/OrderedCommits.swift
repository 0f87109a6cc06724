import Foundation

/// Hands out work items to concurrent workers and commits their results in item order.
///
/// Workers compute ahead of the commits, each result held in one of `slots` result slots until
/// every item before it is committed; a worker that finds no free slot waits. So at most
/// `slots` items are computed and not yet committed, which bounds memory, and `commit` sees
/// items 0, 1, 2, … whatever the number of workers and however fast each one is: a file
/// written by `commit` has the same bytes for any thread count.
///
/// Items and slots are taken together under one lock, so the lowest uncommitted item always
/// holds a slot and is being computed or is ready: the workers cannot all wait on each other.
/// Whichever worker finishes the next item to commit commits it, and every later item that is
/// ready, outside the lock (the other workers go on computing); one worker commits at a time.
///
/// Use: each worker calls `take()` until it returns nil, computes the item into the slot's
/// buffers and calls `finish(item:slot:)`; a worker that cannot compute its item calls `fail`.
public final class OrderedCommits: @unchecked Sendable {
    public let items: Int
    public let slots: Int
    private let commit: (_ item: Int, _ slot: Int) throws -> Void
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var nextItem = 0
    private var nextCommit = 0
    private var free: [Int]
    private var ready: [Int: Int] = [:]
    private var committing = false
    private var firstError: Error?

    /// - Parameters:
    ///   - items: the number of work items, numbered from 0.
    ///   - slots: result slots (at least 1): how many items may be computed ahead of the commits.
    ///   - commit: called once per item, in item order, never concurrently, with the slot holding
    ///     the item's result; an error stops the work (`error`).
    public init(items: Int, slots: Int, commit: @escaping (_ item: Int, _ slot: Int) throws -> Void) {
        precondition(items >= 0 && slots >= 1, "a count of items and at least one slot")
        self.items = items
        self.slots = slots
        self.commit = commit
        free = Array((0..<slots).reversed())
    }

    /// The next item and a free slot for its result, waiting for a slot when none is free; nil
    /// when every item is taken or the work failed.
    public func take() -> (item: Int, slot: Int)? {
        condition.lock()
        defer { condition.unlock() }
        while firstError == nil, nextItem < items, free.isEmpty { condition.wait() }
        guard firstError == nil, nextItem < items else { return nil }
        nextItem += 1
        return (nextItem - 1, free.removeLast())
    }

    /// Marks `item`'s result in `slot` ready, and commits it and the ready items after it when
    /// it is the next to commit and no other worker is committing.
    public func finish(item: Int, slot: Int) {
        condition.lock()
        defer { condition.unlock() }
        ready[item] = slot
        guard !committing else { return }
        committing = true
        while firstError == nil, let s = ready.removeValue(forKey: nextCommit) {
            let k = nextCommit
            condition.unlock()
            var failure: Error?
            do { try commit(k, s) } catch { failure = error }
            condition.lock()
            if let failure, firstError == nil { firstError = failure }
            nextCommit += 1
            free.append(s)
            condition.broadcast()
        }
        committing = false
    }

    /// Stops the work: `take()` returns nil from now on, and waiting workers wake up.
    public func fail(_ error: Error) {
        condition.lock()
        defer { condition.unlock() }
        if firstError == nil { firstError = error }
        condition.broadcast()
    }

    /// The first error of a worker or of `commit`; nil when the work went well.
    public var error: Error? {
        condition.lock()
        defer { condition.unlock() }
        return firstError
    }

    /// Items committed so far.
    public var committed: Int {
        condition.lock()
        defer { condition.unlock() }
        return nextCommit
    }
}
