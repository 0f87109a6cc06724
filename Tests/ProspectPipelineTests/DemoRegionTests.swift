import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectPipeline

@Suite("The committed demo region comes from the generator")
struct DemoRegionTests {
    static let rasters = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Rasters").path

    @Test("regenerating gives the committed rasters, deposits and hidden model")
    func regenerates() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let province = try DemoRegion.write(to: dir)
        for name in DemoRegion.continuousLayers + DemoRegion.categoricalLayers {
            let fresh = try readRaster("\(dir)/\(name).tif")
            let committed = try readRaster("\(Self.rasters)/\(name).tif")
            #expect(fresh == committed, "\(name).tif differs from a fresh generation")
        }
        for name in DemoRegion.continuousLayers + DemoRegion.categoricalLayers {
            let fresh = try RasterDataset.open("\(dir)/\(name).tif").unitType()
            let committed = try RasterDataset.open("\(Self.rasters)/\(name).tif").unitType()
            #expect(
                fresh == committed, "\(name).tif: unit \(String(describing: committed)), a fresh generation \(String(describing: fresh))")
        }
        #expect(try RasterDataset.open("\(Self.rasters)/fault_distance.tif").unitType() == "m")
        let committed = try DepositSet.load("\(Self.rasters)/deposits.gpkg", grid: province.grid)
        #expect(committed.given == province.deposits.count)
        #expect(committed.inside.map(\.cellIndex) == province.deposits.map { $0.row * province.grid.columns + $0.column })
        let truth = try JSONDecoder().decode(HiddenModel.self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.rasters)/truth.json")))
        #expect(truth == province.truth)
    }
}
