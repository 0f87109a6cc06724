import Foundation
import Testing
@testable import ProspectCore

@Suite("Synthetic scratch")
struct SyntheticScratchTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 2026] as [UInt64])
    func clustering(seed: UInt64) throws {
        let p = DemoProvince.generate(seed: seed)
        let lith = p.layer(named: "lithology")!.values
        let mask = p.studyAreaMask
        let g = p.grid
        var total = 0.0, onPlug = 0.0
        let b = 40 // 2 km blocks
        var blocks = [Double](repeating: 0, count: ((g.columns + b - 1) / b) * ((g.rows + b - 1) / b))
        let bc = (g.columns + b - 1) / b
        for i in 0..<lith.count where mask[i] {
            let q = Double(p.probability[i])
            total += q
            if lith[i] == 4 { onPlug += q }
            blocks[(i / g.columns / b) * bc + (i % g.columns) / b] += q
        }
        let eff = total * total / blocks.reduce(0) { $0 + $1 * $1 }
        let area = Double(lith.filter { $0 == 4 }.count) / Double(lith.count)
        let cells = p.deposits.map { $0.row * g.columns + $0.column }
        let ree = p.layer(named: "ree_geochem")!.values
        let holes = cells.filter { ree[$0] == -9999 }.count
        let real = Double(cells.filter { lith[$0] == 4 }.count) / Double(cells.count)
        print(String(format: "seed %d: expected on lith4 %.2f (realized %.2f), plug area %.3f, effective 2-km blocks %.1f, deposits %d, in holes %d", Int(seed), onPlug / total, real, area, eff, cells.count, holes))
    }
}
