import Foundation

/// A colour ramp: colours at evenly spaced stops from 0 to 1, linearly interpolated between them.
///
/// `viridis` is the one every figure uses: perceptually uniform (equal steps in value look like
/// equal steps in colour), readable in grey and by the colour-blind, and dark at 0 so that the
/// high probabilities stand out. Its stops are matplotlib's viridis (van der Walt & Smith, 2015,
/// "A better default colormap for matplotlib", SciPy 2015) sampled at nine evenly spaced values,
/// as R's `viridisLite::viridis(9)` lists them.
public struct ColorRamp: Sendable, Equatable {
    /// The ramp's name, for legends ("viridis").
    public var name: String
    /// The colours at t = 0, 1/(n−1), …, 1.
    public var stops: [RGBA]

    public init(name: String, stops: [RGBA]) {
        precondition(stops.count >= 2, "a ramp needs at least two colours")
        self.name = name
        self.stops = stops
    }

    /// viridis (matplotlib), nine stops.
    public static let viridis = ColorRamp(
        name: "viridis",
        stops: [
            RGBA(0x44, 0x01, 0x54), RGBA(0x47, 0x2D, 0x7B), RGBA(0x3B, 0x52, 0x8B), RGBA(0x2C, 0x72, 0x8E),
            RGBA(0x21, 0x91, 0x8C), RGBA(0x28, 0xAE, 0x80), RGBA(0x5E, 0xC9, 0x62), RGBA(0xAD, 0xDC, 0x30),
            RGBA(0xFD, 0xE7, 0x25),
        ])

    /// The colour at `t` (clamped to [0, 1]), linear between the two nearest stops and rounded
    /// to the nearest integer per channel, as GDAL's `gdaldem color-relief` interpolates.
    public func color(at t: Double) -> RGBA {
        let u = t.isNaN ? 0 : min(1, max(0, t)) * Double(stops.count - 1)
        let i = min(Int(u), stops.count - 2)
        let f = u - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) + f * (Double(y) - Double(x))).rounded()) }
        return RGBA(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b))
    }

    /// The values the stops fall on over [low, high]: evenly spaced (`linear`), or evenly spaced
    /// in log10 (`log`, for low > 0), where the ramp is then linear between neighbouring stops.
    public func stopValues(low: Double, high: Double, stretch: Stretch) -> [Double] {
        let n = stops.count - 1
        return (0...n).map { i in
            let t = Double(i) / Double(n)
            switch stretch {
            case .linear: return low + t * (high - low)
            case .log: return low * Foundation.pow(high / low, t)
            }
        }
    }

    /// How values are spread over the ramp.
    public enum Stretch: String, Sendable, CaseIterable {
        /// Evenly in value.
        case linear
        /// Evenly in log10 of the value (positive values only).
        case log
    }
}

/// An 8-bit sRGB colour with alpha.
public struct RGBA: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var r: UInt8, g: UInt8, b: UInt8, a: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }
    /// "#rrggbb", for SVG and CSS.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        return "#" + [r, g, b].map { "\(digits[Int($0 >> 4)])\(digits[Int($0 & 15)])" }.joined()
    }
    public var description: String { "rgba(\(r), \(g), \(b), \(a))" }

    public static let black = RGBA(0, 0, 0)
    public static let white = RGBA(255, 255, 255)
    /// The deposits' colour: a red that no viridis colour comes near.
    public static let deposit = RGBA(0xE4, 0x1A, 0x1C)
}
