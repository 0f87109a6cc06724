import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@Suite("The demo region end to end through the CLI", .serialized)
struct DemoEndToEndTests {
    struct Summary: Decodable {
        var method: String
        var layerRanking: [String]
        var trueLayers: [String]?
        var auc: Double
        var depositsUsed: Int
        var capturedAtTenPercent: Double
        var crossValidation: CV?
        struct CV: Decodable {
            var scheme: String
            var pooledAUC: Double
            var folds: [Fold]
            struct Fold: Decodable { var deposits: Int }
            enum CodingKeys: String, CodingKey {
                case scheme, folds
                case pooledAUC = "pooled_auc"
            }
        }
    }

    /// The demo's summary and its output folder (removed when the caller lets go of it).
    func runDemo(_ method: String, crossValidate: Bool = false) throws -> (Summary, TemporaryFolder) {
        let folder = try TemporaryFolder()
        let out = folder.path
        let result = try CLI.run(
            ["demo", "--data", CLI.demoData, "--out", out, "--method", method, "--json"] + (crossValidate ? [] : ["--no-cv"]))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try JSONDecoder().decode(Summary.self, from: Data(result.stdout.utf8))
        return (summary, folder)
    }

    @Test("logistic regression ranks the hidden model's layers highest and AUC is high")
    func logisticRecoversTruth() throws {
        let (s, _) = try runDemo("logistic")
        let truth = try #require(s.trueLayers)
        #expect(Set(s.layerRanking.prefix(truth.count)) == Set(truth), "ranking \(s.layerRanking)")
        #expect(s.auc > 0.85)
        #expect(s.capturedAtTenPercent > 50)
    }

    @Test("weights of evidence: true layers outrank the decoys, AUC is high, outputs are complete")
    func wofeOutputs() throws {
        let (s, folder) = try runDemo("wofe", crossValidate: true)
        let out = folder.path
        #expect(s.auc > 0.85)
        // Cross-validated in blocks: every deposit cell held out once, predicted worse than fitted.
        let cv = try #require(s.crossValidation)
        #expect(cv.scheme == "blocks")
        #expect(cv.folds.map(\.deposits).reduce(0, +) == s.depositsUsed)
        #expect(cv.pooledAUC > 0.7 && cv.pooledAUC < s.auc, "pooled \(cv.pooledAUC), fit \(s.auc)")
        let truthData = try Data(contentsOf: URL(fileURLWithPath: CLI.demoData + "/truth.json"))
        let truth = try JSONDecoder().decode(HiddenModel.self, from: truthData)
        let rank = Dictionary(uniqueKeysWithValues: s.layerRanking.enumerated().map { ($1, $0) })
        let worstTrue = truth.trueLayers.compactMap { rank[$0] }.max()!
        for decoy in truth.decoyLayers { #expect(rank[decoy]! > worstTrue, "ranking \(s.layerRanking)") }
        // Weights table: header and one row per class with a layer column.
        let csv = try String(contentsOfFile: out + "/weights.csv", encoding: .utf8)
        #expect(csv.hasPrefix("layer,class,"))
        #expect(csv.contains("lithology,alkaline-carbonatite complex,"), "class names from the raster (CLASS_4 metadata)")
        // The map carries provenance.
        let map = try RasterDataset.open(out + "/prospectivity_wofe.tif")
        let meta = map.metadata()
        #expect(meta["PROSPECT_VERSION"]?.hasPrefix("prospect ") == true)
        #expect(meta["PROSPECT_METHOD"] == "wofe")
        #expect(meta["PROSPECT_INPUTS"]?.contains("thorium.tif") == true)
        #expect(map.metadata(domain: "IMAGE_STRUCTURE")["COMPRESSION"] == "ZSTD")
        // The same map as a Cloud Optimized GeoTIFF has overviews.
        let cog = try CLI.run(["score", "--model", out + "/model_wofe.json", "--out", out + "/cog.tif", "--cog"])
        #expect(cog.status == 0, "\(cog.stderr)")
        let cogMap = try RasterDataset.open(out + "/cog.tif")
        #expect(cogMap.metadata(domain: "IMAGE_STRUCTURE")["LAYOUT"] == "COG")
        #expect(cogMap.overviewCount() >= 1)
        // Targets GeoJSON is valid RFC 7946 over Odisha.
        try GeoJSONCheck.validate(
            out + "/targets_wofe.geojson", expectFeatures: true,
            lon: 85.0...86.2, lat: 21.0...22.0)
        try GeoJSONCheck.validate(out + "/tiles_wofe.geojson", expectFeatures: true, lon: 85.0...86.2, lat: 21.0...22.0)
    }
}

/// RFC 7946 checks: WGS84 lon/lat ranges, counter-clockwise exterior rings, no `crs` member.
enum GeoJSONCheck {
    static func validate(_ path: String, expectFeatures: Bool, lon: ClosedRange<Double>, lat: ClosedRange<Double>) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["type"] as? String == "FeatureCollection")
        #expect(root["crs"] == nil)
        let features = try #require(root["features"] as? [[String: Any]])
        if expectFeatures { #expect(!features.isEmpty) }
        for f in features {
            let geometry = try #require(f["geometry"] as? [String: Any])
            let props = try #require(f["properties"] as? [String: Any])
            #expect(props["rank"] != nil)
            #expect(props["tool"] != nil)
            var polygons: [[[[Double]]]] = []
            switch geometry["type"] as? String {
            case "Polygon": polygons = [try #require(geometry["coordinates"] as? [[[Double]]])]
            case "MultiPolygon": polygons = try #require(geometry["coordinates"] as? [[[[Double]]]])
            default: Issue.record("unexpected geometry \(geometry["type"] ?? "nil")")
            }
            for polygon in polygons {
                for (i, ring) in polygon.enumerated() {
                    for p in ring {
                        #expect(lon.contains(p[0]) && lat.contains(p[1]), "coordinate \(p) outside the expected lon/lat box")
                    }
                    #expect(ring.first! == ring.last!)
                    let area = signedArea(ring)
                    if i == 0 { #expect(area > 0, "exterior ring must be counter-clockwise") } else { #expect(area < 0) }
                }
            }
        }
    }

    static func signedArea(_ ring: [[Double]]) -> Double {
        var a = 0.0
        for i in 0..<(ring.count - 1) { a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] }
        return a / 2
    }
}
