/// An 8-bit RGBA raster, row-major, the top row first, with simple drawing for figures: filled
/// rectangles, lines, discs and text in `BitmapFont`. Colours are blended over what is there
/// ("source over"), so a half-transparent colour tints the map beneath it.
public struct RGBAImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 4 bytes a pixel (R, G, B, A), `width × height` pixels.
    public var pixels: [UInt8]

    /// A new image filled with one colour (transparent by default).
    public init(width: Int, height: Int, fill: RGBA = RGBA(0, 0, 0, 0)) {
        precondition(width > 0 && height > 0, "an image needs at least one pixel")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 4)
        if fill.a != 0 {
            for i in 0..<(width * height) {
                pixels[4 * i] = fill.r
                pixels[4 * i + 1] = fill.g
                pixels[4 * i + 2] = fill.b
                pixels[4 * i + 3] = fill.a
            }
        }
    }

    /// An image over existing pixels (`width × height × 4` bytes).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 4, "pixels must hold width × height × 4 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public subscript(x: Int, y: Int) -> RGBA {
        let i = 4 * (y * width + x)
        return RGBA(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
    }

    /// Blends `color` over pixel (x, y); pixels outside the image are ignored.
    public mutating func blend(x: Int, y: Int, _ color: RGBA) {
        guard x >= 0, y >= 0, x < width, y < height, color.a > 0 else { return }
        let i = 4 * (y * width + x)
        if color.a == 255 {
            pixels[i] = color.r
            pixels[i + 1] = color.g
            pixels[i + 2] = color.b
            pixels[i + 3] = 255
            return
        }
        // Porter–Duff "over" with straight (not premultiplied) alpha.
        let sa = Double(color.a) / 255
        let da = Double(pixels[i + 3]) / 255
        let oa = sa + da * (1 - sa)
        func channel(_ s: UInt8, _ d: UInt8) -> UInt8 {
            UInt8(((Double(s) * sa + Double(d) * da * (1 - sa)) / oa).rounded())
        }
        pixels[i] = channel(color.r, pixels[i])
        pixels[i + 1] = channel(color.g, pixels[i + 1])
        pixels[i + 2] = channel(color.b, pixels[i + 2])
        pixels[i + 3] = UInt8((oa * 255).rounded())
    }

    /// Fills the rectangle with its top-left corner at (x, y), clipped to the image.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: RGBA) {
        let (x0, x1, y0, y1) = (max(0, x), min(width, x + w), max(0, y), min(height, y + h))
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            for xx in x0..<x1 { blend(x: xx, y: yy, color) }
        }
    }

    /// Copies `image` with its top-left corner at (x, y), blended over this one.
    public mutating func draw(_ image: RGBAImage, x: Int, y: Int) {
        for yy in 0..<image.height {
            for xx in 0..<image.width { blend(x: x + xx, y: y + yy, image[xx, yy]) }
        }
    }

    /// A straight line `thickness` pixels wide between two points (pixel coordinates, any
    /// real values): a square brush stepped along the line, one step per pixel of its longer axis.
    public mutating func line(from a: (x: Double, y: Double), to b: (x: Double, y: Double), thickness: Int, _ color: RGBA) {
        let steps = max(1, Int(max(abs(b.x - a.x), abs(b.y - a.y)).rounded(.up)))
        guard steps < 1 << 20 else { return }  // far off the image: nothing sensible to draw
        let r0 = (thickness - 1) / 2
        var last: (Int, Int)? = nil
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            let x = Int((a.x + t * (b.x - a.x)).rounded(.down))
            let y = Int((a.y + t * (b.y - a.y)).rounded(.down))
            if let last, last == (x, y) { continue }
            last = (x, y)
            for dy in -r0..<(thickness - r0) {
                for dx in -r0..<(thickness - r0) { blend(x: x + dx, y: y + dy, color) }
            }
        }
    }

    /// A filled disc of `radius` pixels centred at (x, y), with an outline `outline` pixels wide.
    public mutating func disc(x: Double, y: Double, radius: Double, fill: RGBA, outline: RGBA, outlineWidth: Double = 1) {
        let outer = radius + outlineWidth
        for yy in Int((y - outer).rounded(.down))...Int((y + outer).rounded(.up)) {
            for xx in Int((x - outer).rounded(.down))...Int((x + outer).rounded(.up)) {
                let d = ((Double(xx) + 0.5 - x) * (Double(xx) + 0.5 - x) + (Double(yy) + 0.5 - y) * (Double(yy) + 0.5 - y)).squareRoot()
                if d <= radius {
                    blend(x: xx, y: yy, fill)
                } else if d <= outer {
                    blend(x: xx, y: yy, outline)
                }
            }
        }
    }

    /// Draws `text` in `BitmapFont` with its top-left corner at (x, y), each font pixel a square
    /// of `scale` pixels; with a `halo`, every character is first drawn in that colour one font
    /// pixel around, so it reads over any background.
    public mutating func text(_ text: String, x: Int, y: Int, scale: Int, _ color: RGBA, halo: RGBA? = nil) {
        let characters = Array(BitmapFont.ascii(text))
        func stamp(dx: Int, dy: Int, _ c: RGBA) {
            for (k, ch) in characters.enumerated() {
                let left = x + k * BitmapFont.advance * scale + dx
                for fy in 0..<BitmapFont.glyphHeight {
                    for fx in 0..<BitmapFont.glyphWidth where BitmapFont.pixel(ch, x: fx, y: fy) {
                        fill(x: left + fx * scale, y: y + fy * scale + dy, width: scale, height: scale, c)
                    }
                }
            }
        }
        if let halo {
            for dy in [-scale, 0, scale] {
                for dx in [-scale, 0, scale] where dx != 0 || dy != 0 { stamp(dx: dx, dy: dy, halo) }
            }
        }
        stamp(dx: 0, dy: 0, color)
    }

    /// The size of `text` drawn at `scale`, in pixels.
    public static func textSize(_ text: String, scale: Int) -> (width: Int, height: Int) {
        (BitmapFont.width(text) * scale, BitmapFont.glyphHeight * scale)
    }
}
