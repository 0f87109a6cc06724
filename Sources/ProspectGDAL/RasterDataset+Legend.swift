internal import CGDAL
import Foundation

extension RasterDataset {
    /// The unit of `band`'s values ("m", "nT", "ppm"), nil when unset or empty.
    /// The corresponding C function is `GDALGetRasterUnitType` (a borrowed string, "" when unset).
    public func unitType(band: Int = 1) -> String? {
        withBand(band) { b in
            guard let text = GDALGetRasterUnitType(b) else { return nil }
            let unit = String(cString: text).trimmingCharacters(in: .whitespaces)
            return unit.isEmpty ? nil : unit
        }
    }

    /// Sets the unit of `band`'s values. The corresponding C function is `GDALSetRasterUnitType`.
    /// - Throws: `GDALError` when the format cannot store it.
    public func setUnitType(_ unit: String, band: Int = 1) throws {
        try withBand(band) { b in
            CPL.reset()
            guard GDALSetRasterUnitType(b, unit) == CE_None else {  // CE_None on success
                throw GDALError(path: path, message: CPL.detail("could not set the unit \(unit) on band \(band)"))
            }
        }
    }

    /// Class names of `band` by class code, from its category names and its raster attribute
    /// table; empty when it has neither.
    ///
    /// Category names (GeoTIFF, ERDAS Imagine, ENVI) are indexed by class value. A raster
    /// attribute table (ArcGIS value attribute tables, `.aux.xml`, VRT, KEA, HFA) is read
    /// row by row: the name from the column whose usage is `GFU_Name`, else from a text column
    /// called NAME, CLASS_NAME, LABEL, CLASS, UNIT, UNIT_NAME, DESCRIPTION, DESCR, LITHOLOGY or
    /// LITH (in that order, any case), else from the first text column; the code from the
    /// `GFU_MinMax` column, else the `GFU_Min` column (every whole number up to the `GFU_Max`
    /// column's value when there is one), else a numeric column called VALUE, else the table's
    /// linear binning, else the row's index. Codes that are not whole numbers and empty names
    /// are skipped; a category name wins over the table's name for the same code. At most
    /// 65 536 codes are read. The corresponding C functions are `GDALGetRasterCategoryNames`
    /// and `GDALGetDefaultRAT` (borrowed; NULL when there is none) with the `GDALRATGet…`
    /// accessors.
    public func legend(band: Int = 1) -> [Int: String] {
        var legend = attributeTableLegend(band: band)
        let names = categoryNames(band: band)
        if names.count <= Self.maxLegendCodes {
            for (code, name) in names.enumerated() where !name.trimmingCharacters(in: .whitespaces).isEmpty {
                legend[code] = name
            }
        }
        return legend
    }

    static let maxLegendCodes = 65_536

    /// The class names of `band`'s raster attribute table, by code (see `legend`).
    public func attributeTableLegend(band: Int = 1) -> [Int: String] {
        withBand(band) { b in
            guard let rat = GDALGetDefaultRAT(b) else { return [:] }  // NULL when there is none
            let columns = Int(GDALRATGetColumnCount(rat))
            let rows = min(Int(GDALRATGetRowCount(rat)), Self.maxLegendCodes)
            guard columns > 0, rows > 0 else { return [:] }
            func name(_ c: Int) -> String { GDALRATGetNameOfCol(rat, Int32(c)).map { String(cString: $0) } ?? "" }
            func isText(_ c: Int) -> Bool { GDALRATGetTypeOfCol(rat, Int32(c)) == GFT_String }
            func column(of usage: GDALRATFieldUsage) -> Int? {
                let c = Int(GDALRATGetColOfUsage(rat, usage))  // -1 when no column has it
                return c >= 0 ? c : nil
            }
            let preferred = ["NAME", "CLASS_NAME", "LABEL", "CLASS", "UNIT", "UNIT_NAME", "DESCRIPTION", "DESCR", "LITHOLOGY", "LITH"]
            let textColumns = (0..<columns).filter(isText)
            let nameColumn =
                column(of: GFU_Name).flatMap { isText($0) ? $0 : nil }
                ?? preferred.lazy.compactMap { p in textColumns.first { name($0).uppercased() == p } }.first
                ?? textColumns.first
            guard let nameColumn else { return [:] }
            let minimum = column(of: GFU_MinMax) ?? column(of: GFU_Min)
            let maximum = column(of: GFU_MinMax) == nil ? column(of: GFU_Max) : nil
            let valueColumn = minimum ?? (0..<columns).first { !isText($0) && name($0).uppercased() == "VALUE" }
            var row0 = 0.0
            var binSize = 0.0
            let binned = valueColumn == nil && GDALRATGetLinearBinning(rat, &row0, &binSize) != 0  // TRUE when linearly binned
            var legend: [Int: String] = [:]
            for row in 0..<rows {
                guard let text = GDALRATGetValueAsString(rat, Int32(row), Int32(nameColumn)) else { continue }  // borrowed
                let label = String(cString: text).trimmingCharacters(in: .whitespaces)
                guard !label.isEmpty else { continue }
                let low: Double
                if let valueColumn {
                    low = GDALRATGetValueAsDouble(rat, Int32(row), Int32(valueColumn))
                } else if binned {
                    low = row0 + Double(row) * binSize
                } else {
                    low = Double(row)
                }
                let high = maximum.map { GDALRATGetValueAsDouble(rat, Int32(row), Int32($0)) } ?? low
                guard let first = Int(exactly: low.rounded(.up)), let last = Int(exactly: high.rounded(.down)),
                    low.rounded() == low || maximum != nil, first <= last, last - first < Self.maxLegendCodes
                else { continue }
                for code in first...last where legend[code] == nil {
                    legend[code] = label
                    if legend.count >= Self.maxLegendCodes { return legend }
                }
            }
            return legend
        }
    }
}
