import Dispatch
import Foundation

/// Computes a raster band of rows at a time on several cores and hands the bands to a writer in
/// order, holding at most two bands per worker in memory.
///
/// The rows are cut into contiguous bands of `rowsPerBand` rows (full width). Workers run with
/// `DispatchQueue.concurrentPerform`; each takes a free buffer from a pool of `2 · workers`,
/// claims the next band (bands are claimed in order), computes it with `body`, and queues it.
/// Whichever worker finds the lowest unwritten band done becomes the writer and writes the
/// bands that are ready, in order, while the others compute; a written band's buffer returns
/// to the pool. A worker waits for a buffer only when the lowest band is still being computed
/// and every other buffer holds a later band.
public enum BandedFill {
    /// Fills `grid` band by band.
    ///
    /// - Parameters:
    ///   - grid: the raster to fill; bands span all its columns.
    ///   - rowsPerBand: rows per band (the last band may have fewer).
    ///   - threads: workers; 1 computes and writes on the calling thread.
    ///   - body: computes a band into a buffer of exactly `window.cellCount` floats, row-major.
    ///     Called concurrently for different bands.
    ///   - write: receives each band once, in increasing row order, one call at a time (not
    ///     always on the same thread).
    /// - Throws: the first error `write` throws; no band is written after it, and no further
    ///   band is started.
    public static func fill(
        grid: Grid, rowsPerBand: Int, threads: Int = ProcessInfoCores.active,
        body: @Sendable (Window, UnsafeMutableBufferPointer<Float>) -> Void,
        write: (Window, UnsafeBufferPointer<Float>) throws -> Void
    ) throws {
        precondition(rowsPerBand > 0, "bands hold at least one row")
        guard grid.cellCount > 0 else { return }
        let bands = (grid.rows + rowsPerBand - 1) / rowsPerBand
        let bandCells = rowsPerBand * grid.columns
        let rows = grid.rows
        let columns = grid.columns
        @Sendable func window(_ band: Int) -> Window {
            let r0 = band * rowsPerBand
            return Window(column: 0, row: r0, columns: columns, rows: min(rowsPerBand, rows - r0))
        }
        let workers = max(1, min(threads, bands))
        let slots = workers == 1 ? 1 : min(bands, 2 * workers)
        let storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: slots * bandCells)
        defer { storage.deallocate() }
        if workers == 1 {
            for band in 0..<bands {
                let w = window(band)
                let out = UnsafeMutableBufferPointer(rebasing: storage[0..<w.cellCount])
                body(w, out)
                try write(w, UnsafeBufferPointer(out))
            }
            return
        }
        let queue = BandQueue(bands: bands, slots: slots)
        try withoutActuallyEscaping(write) { write in
            // Invariants for the two transfers: a slot of `storage` is touched only by the worker
            // that claimed it, until it is written and returned to the pool; `write` is called
            // by one worker at a time (the writer's turn is handed over under the queue's lock).
            let shared = UnsafeTransfer((storage, write))
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let (storage, write) = shared.value
                func buffer(_ slot: Int, _ window: Window) -> UnsafeMutableBufferPointer<Float> {
                    UnsafeMutableBufferPointer(rebasing: storage[slot * bandCells..<slot * bandCells + window.cellCount])
                }
                while let (band, slot) = queue.claim() {
                    let w = window(band)
                    body(w, buffer(slot, w))
                    guard queue.finish(band: band, slot: slot) else { continue }
                    while let (next, nextSlot) = queue.nextToWrite() {
                        let nw = window(next)
                        do {
                            try write(nw, UnsafeBufferPointer(buffer(nextSlot, nw)))
                        } catch {
                            queue.fail(error)
                        }
                        queue.written(slot: nextSlot)
                    }
                }
            }
            if let error = queue.error { throw error }
        }
    }
}

/// The shared state of `BandedFill.fill`: the next band to claim, the free buffers, the bands
/// computed but not written, the writer's turn and the first error.
///
/// All state is guarded by `lock`; `free` counts the free buffers for workers waiting on one.
private final class BandQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let free: DispatchSemaphore
    private let bands: Int
    private var nextBand = 0
    private var nextWrite = 0
    private var freeSlots: [Int]
    private var done: [Int: Int] = [:]
    private var writing = false
    private var firstError: Error?

    init(bands: Int, slots: Int) {
        self.bands = bands
        // Created at 0 and raised to `slots`: libdispatch traps when a semaphore is freed below
        // its initial value, which is what a failed fill leaves (computed bands never written
        // keep their buffers).
        free = DispatchSemaphore(value: 0)
        for _ in 0..<slots { free.signal() }
        freeSlots = Array(0..<slots)
    }

    var error: Error? { lock.withLock { firstError } }

    /// The next band and a free buffer for it, or nil when all bands are taken or writing failed.
    func claim() -> (band: Int, slot: Int)? {
        free.wait()
        let claimed: (Int, Int)? = lock.withLock {
            guard firstError == nil, nextBand < bands else { return nil }
            nextBand += 1
            return (nextBand - 1, freeSlots.removeLast())
        }
        // Pass the wake-up on, so every waiting worker sees there is nothing left.
        if claimed == nil { free.signal() }
        return claimed
    }

    /// Queues a computed band; true when the caller is to be the writer.
    func finish(band: Int, slot: Int) -> Bool {
        lock.withLock {
            done[band] = slot
            if writing { return false }
            writing = true
            return true
        }
    }

    /// The writer's next band, or nil (giving up the writer's turn) when it is not ready yet.
    func nextToWrite() -> (band: Int, slot: Int)? {
        lock.withLock {
            if firstError == nil, let slot = done.removeValue(forKey: nextWrite) { return (nextWrite, slot) }
            writing = false
            return nil
        }
    }

    /// Returns the buffer of the band just written (or abandoned) to the pool.
    func written(slot: Int) {
        lock.withLock {
            freeSlots.append(slot)
            nextWrite += 1
        }
        free.signal()
    }

    func fail(_ error: Error) {
        lock.withLock { if firstError == nil { firstError = error } }
    }
}
