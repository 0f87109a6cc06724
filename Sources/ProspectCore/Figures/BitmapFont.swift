/// A 5 × 8 bitmap font for the printable ASCII characters (32–126), drawn for Prospect's figures.
///
/// Each glyph is 8 rows of 5 pixels, the top row first, packed into 40 bits (row 0 in bits
/// 39…35, the leftmost pixel the highest bit of its row). Rows 0–6 hold capitals and digits,
/// row 7 the descenders of g, j, p, q, y and the comma. A character outside the table is drawn
/// as its ASCII stand-in (`BitmapFont.ascii`), else as "?".
public enum BitmapFont {
    public static let glyphWidth = 5
    public static let glyphHeight = 8
    /// Horizontal distance from one character to the next, in font pixels.
    public static let advance = 6

    static let glyphs: [UInt64] = [
        0x00_0000_0000, 0x21_0842_0080, 0x52_8000_0000, 0x52_BEAF_A940, 0x23_E8E2_F880, 0xC6_4444_4C60,
        0x64_A88A_C9A0, 0x21_0000_0000, 0x11_1084_1040, 0x41_0421_1100, 0x01_2AEA_9000, 0x01_09F2_1000,
        0x00_0000_3088, 0x00_01F0_0000, 0x00_0000_3180, 0x00_4444_4000, 0x74_675C_C5C0, 0x23_0842_11C0,
        0x74_4222_23E0, 0xF8_8820_C5C0, 0x11_952F_8840, 0xFC_3C10_C5C0, 0x32_21E8_C5C0, 0xF8_4444_2100,
        0x74_62E8_C5C0, 0x74_62F0_8980, 0x03_1806_3000, 0x03_1806_1100, 0x11_1104_1040, 0x00_3E0F_8000,
        0x41_0411_1100, 0x74_4222_0080, 0x74_42DA_D5C0, 0x74_63F8_C620, 0xF4_63E8_C7C0, 0x74_6108_45C0,
        0xE4_A318_CB80, 0xFC_21E8_43E0, 0xFC_21E8_4200, 0x74_6178_C5E0, 0x8C_63F8_C620, 0x71_0842_11C0,
        0x38_8421_4980, 0x8C_A98A_4A20, 0x84_2108_43E0, 0x8E_EB58_C620, 0x8C_7359_C620, 0x74_6318_C5C0,
        0xF4_63E8_4200, 0x74_631A_C9A0, 0xF4_63EA_4A20, 0x7C_20E0_87C0, 0xF9_0842_1080, 0x8C_6318_C5C0,
        0x8C_6318_A880, 0x8C_635A_D540, 0x8C_5445_4620, 0x8C_62A2_1080, 0xF8_4444_43E0, 0x72_1084_21C0,
        0x04_1041_0400, 0x70_8421_09C0, 0x22_A200_0000, 0x00_0000_001F, 0x41_0000_0000, 0x00_1C17_C5E0,
        0x84_2D98_C7C0, 0x00_1D08_45C0, 0x08_5B38_C5E0, 0x00_1D1F_C1C0, 0x32_51C4_2100, 0x00_1F18_BC2E,
        0x84_2D98_C620, 0x20_1842_11C0, 0x10_0C21_0A4C, 0x84_254C_5240, 0x61_0842_11C0, 0x00_355A_C620,
        0x00_2D98_C620, 0x00_1D18_C5C0, 0x00_3D18_FA10, 0x00_1F18_BC21, 0x00_2D98_4200, 0x00_1F07_07C0,
        0x42_3884_24C0, 0x00_2318_CDA0, 0x00_2318_A880, 0x00_231A_D540, 0x00_22A2_2A20, 0x00_2318_BC2E,
        0x00_3E22_23E0, 0x11_0882_1040, 0x21_0842_1080, 0x41_0822_1100, 0x00_1151_0000,
    ]

    /// Whether font pixel (x, y) of `character` is set.
    public static func pixel(_ character: Character, x: Int, y: Int) -> Bool {
        guard (0..<glyphWidth).contains(x), (0..<glyphHeight).contains(y) else { return false }
        let bits = glyphs[index(of: character)]
        let shift = (glyphHeight - 1 - y) * glyphWidth + (glyphWidth - 1 - x)
        return (bits >> UInt64(shift)) & 1 == 1
    }

    static func index(of character: Character) -> Int {
        if let v = character.asciiValue, (32...126).contains(v) { return Int(v) - 32 }
        return Int(Character("?").asciiValue!) - 32
    }

    /// The text as the font can draw it: a few common symbols spelled in ASCII (—, –, −: "-";
    /// ≥: ">="; ≤: "<="; ×: "x"; ²: "2"; µ: "u"; °: "deg"), anything else "?".
    public static func ascii(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "—", "–", "−": out += "-"
            case "≥": out += ">="
            case "≤": out += "<="
            case "×": out += "x"
            case "²": out += "2"
            case "µ": out += "u"
            case "°": out += "deg"
            case "·": out += "."
            default: out.append(c.isASCII && c.asciiValue.map { (32...126).contains($0) } == true ? c : "?")
            }
        }
        return out
    }

    /// The width of `text` in font pixels (after `ascii`), with no spacing after the last character.
    public static func width(_ text: String) -> Int {
        let n = ascii(text).count
        return n == 0 ? 0 : n * advance - 1
    }
}
