import Testing

@testable import ProspectCore

@Suite("Synthetic benchmark stacks")
struct SyntheticStackTests {
    @Test func makeIsDeterministicAndLayersDiffer() {
        let a = SyntheticStack.make(columns: 200, rows: 150, layers: 3, seed: 5)
        let b = SyntheticStack.make(columns: 200, rows: 150, layers: 3, seed: 5)
        let c = SyntheticStack.make(columns: 200, rows: 150, layers: 3, seed: 6)
        #expect(a.count == 3 && a.allSatisfy { $0.count == 200 * 150 })
        #expect(a == b)
        #expect(a[1] != c[1])
        #expect(a[1] != a[2])
    }

    @Test(arguments: [(0, 0, 1), (0, 17, 33), (1, 0, 100), (2, 99, 101), (0, 255, 1), (3, 128, 128)])
    func windowsEqualTheRowsOfMake(layer: Int, firstRow: Int, rows: Int) {
        let columns = 301
        let total = 256
        let full = SyntheticStack.make(columns: columns, rows: total, layers: 4, seed: 2026)[layer]
        var window = [Float](repeating: .nan, count: columns * rows)
        window.withUnsafeMutableBufferPointer {
            SyntheticStack.fillLayer($0, columns: columns, firstRow: firstRow, rows: rows, layer: layer, seed: 2026)
        }
        #expect(window == Array(full[(firstRow * columns)..<((firstRow + rows) * columns)]))
    }

    @Test func valuesDoNotDependOnTheRasterWidth() {
        let narrow = SyntheticStack.make(columns: 40, rows: 20, layers: 1, seed: 1)[0]
        let wide = SyntheticStack.make(columns: 333, rows: 20, layers: 1, seed: 1)[0]
        for r in 0..<20 {
            #expect(Array(narrow[(r * 40)..<(r * 40 + 40)]) == Array(wide[(r * 333)..<(r * 333 + 40)]))
        }
    }

    @Test func onlyLayerZeroHasAThousandthNodata() {
        let stack = SyntheticStack.make(columns: 512, rows: 512, layers: 2, seed: 3)
        let missing = stack[0].filter { $0 == SyntheticStack.nodata }.count
        let fraction = Double(missing) / Double(512 * 512)
        #expect((0.0006...0.0015).contains(fraction), "\(fraction)")
        #expect(!stack[1].contains(SyntheticStack.nodata))
        // Smooth-ish: neighbouring valid cells differ far less than the field's spread.
        let layer = stack[1]
        var step = 0.0
        for i in 0..<(512 * 511) { step += Double(abs(layer[i + 1] - layer[i])) }
        let lo = layer.min()!
        let hi = layer.max()!
        #expect(step / Double(512 * 511) < 0.02 * Double(hi - lo), "mean step \(step / Double(512 * 511)), range \(lo)…\(hi)")
        #expect(hi - lo > 20)
    }

    @Test func emptyShapesAreAllowed() {
        #expect(SyntheticStack.make(columns: 0, rows: 5, layers: 2, seed: 0) == [[], []])
        #expect(SyntheticStack.make(columns: 5, rows: 0, layers: 1, seed: 0) == [[]])
        #expect(SyntheticStack.make(columns: 5, rows: 5, layers: 0, seed: 0).isEmpty)
    }
}
