import Foundation
import ProspectCore
import ProspectGDAL
@testable import ProspectPipeline
import Testing

@Suite("The committed demo region comes from the generator")
struct DemoRegionTests {
    static let rasters = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Rasters").path

    static func values(_ path: String) throws -> [Float] {
        let ds = try RasterDataset.open(path)
        var v = [Float](repeating: 0, count: ds.grid.cellCount)
        try v.withUnsafeMutableBufferPointer { try ds.read(window: ds.grid.full, into: $0) }
        return v
    }

    @Test("regenerating gives the committed rasters, deposits and hidden model")
    func regenerates() throws {
        let dir = NSTemporaryDirectory() + "prospect-demo-" + UUID().uuidString
        let province = try DemoRegion.write(to: dir)
        for name in DemoRegion.continuousLayers + DemoRegion.categoricalLayers {
            let fresh = try Self.values("\(dir)/\(name).tif"), committed = try Self.values("\(Self.rasters)/\(name).tif")
            #expect(fresh == committed, "\(name).tif differs from a fresh generation")
        }
        let committed = try DepositSet.load("\(Self.rasters)/deposits.gpkg", grid: province.grid)
        #expect(committed.given == province.deposits.count)
        #expect(committed.inside.map(\.cellIndex) == province.deposits.map { $0.row * province.grid.columns + $0.column })
        let truth = try JSONDecoder().decode(HiddenModel.self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.rasters)/truth.json")))
        #expect(truth == province.truth)
    }
}
