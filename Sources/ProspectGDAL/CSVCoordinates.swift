/// Which columns of a CSV file hold point coordinates, chosen from its header.
enum CSVCoordinates {
    /// Longitude-like names for x, in order of preference (matched without regard to case).
    static let longitudeNames = ["lon", "long", "longitude"]
    /// Latitude-like names for y, in order of preference.
    static let latitudeNames = ["lat", "latitude"]
    /// Projected (or unknown) x and y names, in order of preference.
    static let eastingNames = ["x", "easting"]
    static let northingNames = ["y", "northing"]

    /// The x and y columns as spelled in `header`, and whether they are longitude/latitude;
    /// nil when `header` lacks an x or a y column.
    ///
    /// A longitude/latitude pair wins over an x/y pair; failing both, the first x-like and
    /// the first y-like column, which then carry no CRS.
    /// - Throws: `GDALError` "has more than one column named …" when the chosen name occurs
    ///   twice ignoring case (the CSV driver would match both).
    static func choose(from header: [String], path: String) throws -> (x: String, y: String, geographic: Bool)? {
        func first(_ names: [String]) -> String? {
            for name in names {
                if let column = header.first(where: { $0.lowercased() == name }) { return column }
            }
            return nil
        }
        let chosen: (x: String, y: String, geographic: Bool)
        if let x = first(longitudeNames), let y = first(latitudeNames) {
            chosen = (x, y, true)
        } else if let x = first(eastingNames), let y = first(northingNames) {
            chosen = (x, y, false)
        } else if let x = first(longitudeNames + eastingNames), let y = first(latitudeNames + northingNames) {
            chosen = (x, y, false)
        } else {
            return nil
        }
        for column in [chosen.x, chosen.y] where header.filter({ $0.lowercased() == column.lowercased() }).count > 1 {
            throw GDALError(path: path, message: "has more than one column named \(column.lowercased()) (ignoring case)")
        }
        return chosen
    }
}
