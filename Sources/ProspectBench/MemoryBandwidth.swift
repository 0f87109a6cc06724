import Dispatch
import Foundation
import ProspectCore

/// Measures this machine's memory bandwidth with the STREAM triad `a[i] = b[i] + s·c[i]`
/// (McCalpin, "STREAM: Sustainable Memory Bandwidth in High Performance Computers").
///
/// Bytes counted per element: 12 (two 4-byte reads and one 4-byte write), as STREAM counts them.
/// Arrays are sized well beyond the last-level cache; the best of several repetitions is kept.
public enum MemoryBandwidth {
    /// Bytes per second of the triad with `threads` workers over arrays of `count` floats each.
    public static func triad(count: Int = 1 << 25, threads: Int, repetitions: Int = 5) -> Double {
        let a = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let c = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer {
            a.deallocate()
            b.deallocate()
            c.deallocate()
        }
        let buffers = UnsafeTransfer((a, b, c))
        let workers = max(1, threads)
        // First touch from the workers that will use the pages.
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let (a, b, c) = buffers.value
            let lo = count * w / workers
            let hi = count * (w + 1) / workers
            for i in lo..<hi {
                a[i] = 0
                b[i] = 1
                c[i] = 2
            }
        }
        var best = Double.infinity
        for _ in 0..<repetitions {
            let t0 = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let (a, b, c) = buffers.value
                let lo = count * w / workers
                let hi = count * (w + 1) / workers
                triadKernel(a.baseAddress! + lo, b.baseAddress! + lo, c.baseAddress! + lo, hi - lo, 3)
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return Double(count) * 12 / best
    }

    @inline(never)
    static func triadKernel(
        _ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>,
        _ c: UnsafePointer<Float>, _ n: Int, _ s: Float
    ) {
        var i = 0
        let sv = SIMD8<Float>(repeating: s)
        while i + 8 <= n {
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            let vc = UnsafeRawPointer(c + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(a + i).storeBytes(of: vb + sv * vc, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            a[i] = b[i] + s * c[i]
            i += 1
        }
    }
}
