import Dispatch
import Foundation
import Synchronization
import Testing

@testable import ProspectCore

@Suite("Ordered commits: results of concurrent workers committed in item order")
struct OrderedCommitsTests {
    /// The worker loop the scorer runs: take, compute (here: wait a pseudo-random while), finish.
    func run(_ work: OrderedCommits, workers: Int, compute: @Sendable (Int, Int) throws -> Void) {
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let (item, slot) = work.take() {
                do { try compute(item, slot) } catch {
                    work.fail(error)
                    return
                }
                work.finish(item: item, slot: slot)
            }
        }
    }

    /// Records commits and checks that no slot holds two items at once.
    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var committed: [Int] = []
        var holder: [Int?]
        var clash = false
        var mostAhead = 0
        init(slots: Int) { holder = Array(repeating: nil, count: slots) }

        func started(_ item: Int, slot: Int) {
            lock.lock()
            defer { lock.unlock() }
            if holder[slot] != nil { clash = true }
            holder[slot] = item
            mostAhead = max(mostAhead, item - committed.count)
        }

        func commit(_ item: Int, slot: Int) {
            lock.lock()
            defer { lock.unlock() }
            if holder[slot] != item { clash = true }
            holder[slot] = nil
            committed.append(item)
        }
    }

    @Test("every item once, in order, whatever the workers, slots and delays", arguments: [1, 2, 3, 8], [1, 2, 5])
    func inOrder(workers: Int, slotsPerWorker: Int) {
        let items = 200
        let slots = workers * slotsPerWorker
        let log = Log(slots: slots)
        let work = OrderedCommits(items: items, slots: slots) { item, slot in log.commit(item, slot: slot) }
        run(work, workers: workers) { item, slot in
            log.started(item, slot: slot)
            // Uneven work: some items take far longer, so later ones finish first.
            usleep(UInt32((item * 7919) % 13 == 0 ? 2000 : (item * 31) % 200))
        }
        #expect(work.error == nil)
        #expect(log.committed == Array(0..<items))
        #expect(!log.clash, "a slot was handed out while it held another item")
        // An item is taken only while a slot is free: never more than `slots` ahead of the commits.
        #expect(log.mostAhead < slots)
        #expect(work.committed == items)
    }

    @Test("no items: nothing is taken or committed")
    func empty() {
        let work = OrderedCommits(items: 0, slots: 2) { _, _ in Issue.record("nothing to commit") }
        run(work, workers: 2) { _, _ in Issue.record("nothing to compute") }
        #expect(work.error == nil && work.committed == 0)
    }

    struct Failure: Error, Equatable { var item: Int }

    @Test("a failing commit stops the work: no later item is committed, and no worker waits forever")
    func commitFails() {
        let count = Atomic<Int>(0)
        let work = OrderedCommits(items: 500, slots: 4) { item, _ in
            count.add(1, ordering: .relaxed)
            if item == 10 { throw Failure(item: 10) }
        }
        run(work, workers: 3) { _, _ in usleep(50) }
        #expect(work.error as? Failure == Failure(item: 10))
        #expect(count.load(ordering: .relaxed) == 11)
        #expect(work.take() == nil)
    }

    @Test("a failing worker stops the work: neither its item nor any after it is committed")
    func workerFails() {
        let log = Log(slots: 6)
        let work = OrderedCommits(items: 500, slots: 6) { item, slot in log.commit(item, slot: slot) }
        run(work, workers: 3) { item, slot in
            log.started(item, slot: slot)
            if item == 37 { throw Failure(item: 37) }
            usleep(50)
        }
        #expect(work.error as? Failure == Failure(item: 37))
        // Items ready before the failure may be committed; the commits stay a prefix, in order.
        #expect(log.committed == Array(0..<log.committed.count))
        #expect(log.committed.count <= 37)
    }

    /// An item's result as the scorer encodes a tile: a length that depends on the item, and
    /// bytes derived from it.
    static func encoded(_ item: Int) -> [UInt8] {
        (0..<((item * 7919) % 61 + 1)).map { UInt8(truncatingIfNeeded: item &* 31 &+ $0) }
    }

    @Test(
        "results of varying lengths in reused slots, appended at each commit, make the same bytes for any workers",
        arguments: [1, 2, 3, 8])
    func appendedResults(workers: Int) {
        let items = 300
        let slots = workers + 1
        // Each slot holds its item's bytes and their length, as the scorer's result slots hold
        // an encoded tile: a later item in the same slot must not leak into an earlier commit.
        let buffers = (0..<slots).map { _ in UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64) }
        let lengths = UnsafeMutableBufferPointer<Int>.allocate(capacity: slots)
        defer {
            buffers.forEach { $0.deallocate() }
            lengths.deallocate()
        }
        let shared = UnsafeTransfer((buffers: buffers, lengths: lengths))
        final class File: @unchecked Sendable { var bytes: [UInt8] = [] }
        let file = File()
        let work = OrderedCommits(items: items, slots: slots) { _, slot in
            let (buffers, lengths) = shared.value
            file.bytes += buffers[slot][0..<lengths[slot]]
        }
        run(work, workers: workers) { item, slot in
            let (buffers, lengths) = shared.value
            let bytes = Self.encoded(item)
            _ = buffers[slot].update(fromContentsOf: bytes)
            usleep(UInt32((item * 31) % 150))
            lengths[slot] = bytes.count
        }
        #expect(work.error == nil)
        #expect(file.bytes == (0..<items).flatMap(Self.encoded))
    }
}
