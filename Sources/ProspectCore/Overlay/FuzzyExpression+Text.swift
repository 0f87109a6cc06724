import Foundation

extension FuzzyExpression {
    /// A problem with the text of a fuzzy expression, with the character position (1-based).
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var message: String
        /// 1-based position of the character where the problem was found.
        public var position: Int
        public var description: String { "at character \(position): \(message)" }
    }

    /// The operator names of the text form.
    public static let operatorNames = ["and", "or", "product", "sum", "gamma"]

    /// Nesting deeper than this is refused (an expression is written by hand, and recursion
    /// must stay bounded).
    public static let maximumDepth = 64

    /// Parses the text form against the model's layer names.
    ///
    /// ```
    /// expression := operator "(" operands ")" | layer
    /// operator   := and | or | product | sum          (operands: one or more expressions)
    ///             | gamma                             (operands: γ in [0, 1], then expressions)
    /// layer      := a layer name: letters, digits, "_", "-", "."; or any name in double
    ///               quotes, with \" and \\ inside
    /// ```
    /// Spaces are free between tokens; operator names are case-insensitive. A name is an
    /// operator only when "(" follows it, so a layer may be called `and`. Example:
    /// `gamma(0.9, and(thorium, magnetics), or(fault_distance, lithology))`.
    ///
    /// - Parameters:
    ///   - text: the expression.
    ///   - layers: the layer names, in model order; `.layer(k)` refers to `layers[k]`.
    /// - Throws: `ParseError` naming the position and the problem: an unknown layer (the
    ///   known ones are listed), an unknown operator, a missing parenthesis or comma, a gamma
    ///   outside [0, 1], an operator without operands, text after the expression.
    public init(parsing text: String, layers: [String]) throws {
        var parser = Parser(characters: Array(text), layers: layers)
        parser.skipSpaces()
        guard !parser.atEnd else { throw ParseError(message: "the expression is empty", position: 1) }
        let e = try parser.expression(depth: 0)
        parser.skipSpaces()
        guard parser.atEnd else {
            throw ParseError(message: "unexpected \"\(parser.rest(12))\" after the expression", position: parser.index + 1)
        }
        self = e
    }

    /// The text form, naming layer `k` as `layers[k]`; `init(parsing:layers:)` reads it back
    /// to the same expression.
    public func text(layers: [String]) -> String {
        switch self {
        case .layer(let k): return Self.quoted(layers[k])
        case .gamma(let g, let operands):
            return "gamma(" + ([Self.number(g)] + operands.map { $0.text(layers: layers) }).joined(separator: ", ") + ")"
        default:
            let name =
                switch self {
                case .and: "and"
                case .or: "or"
                case .product: "product"
                default: "sum"
                }
            return name + "(" + operands.map { $0.text(layers: layers) }.joined(separator: ", ") + ")"
        }
    }

    static func number(_ g: Double) -> String {
        // The shortest text that reads back to the same Double.
        g == g.rounded() ? String(Int(g)) : "\(g)"
    }

    static func isNameCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-" || c == ".")
    }

    /// A layer name as the text form writes it: bare when it is made of name characters,
    /// else in double quotes.
    static func quoted(_ name: String) -> String {
        if !name.isEmpty, name.allSatisfy(isNameCharacter) { return name }
        return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    struct Parser {
        let characters: [Character]
        let layers: [String]
        var index = 0

        var atEnd: Bool { index >= characters.count }
        func rest(_ n: Int) -> String { String(characters[index..<min(characters.count, index + n)]) }

        mutating func skipSpaces() {
            while !atEnd, characters[index].isWhitespace { index += 1 }
        }

        func fail(_ message: String, at position: Int? = nil) -> ParseError {
            ParseError(message: message, position: (position ?? index) + 1)
        }

        /// A bare or quoted token at the current position, with whether it was quoted.
        mutating func token() throws -> (text: String, quoted: Bool, start: Int) {
            skipSpaces()
            let start = index
            guard !atEnd else { throw fail("the expression ends early: expected a layer name or an operator") }
            if characters[index] == "\"" {
                index += 1
                var name = ""
                while true {
                    guard !atEnd else { throw fail("the quoted name opened here is not closed", at: start) }
                    let c = characters[index]
                    index += 1
                    if c == "\"" { break }
                    if c == "\\" {
                        guard !atEnd else { throw fail("the quoted name opened here is not closed", at: start) }
                        name.append(characters[index])
                        index += 1
                    } else {
                        name.append(c)
                    }
                }
                return (name, true, start)
            }
            while !atEnd, FuzzyExpression.isNameCharacter(characters[index]) { index += 1 }
            guard index > start else {
                throw fail("expected a layer name or an operator, got \"\(characters[index])\"")
            }
            return (String(characters[start..<index]), false, start)
        }

        mutating func expect(_ c: Character, _ what: String) throws {
            skipSpaces()
            guard !atEnd, characters[index] == c else {
                throw fail("expected \"\(c)\" \(what)" + (atEnd ? ", but the expression ends" : ", got \"\(characters[index])\""))
            }
            index += 1
        }

        mutating func expression(depth: Int) throws -> FuzzyExpression {
            guard depth < FuzzyExpression.maximumDepth else {
                throw fail("operators are nested more than \(FuzzyExpression.maximumDepth) deep")
            }
            let (text, quoted, start) = try token()
            skipSpaces()
            let isCall = !quoted && !atEnd && characters[index] == "("
            guard isCall else {
                guard let k = layers.firstIndex(of: text) else {
                    throw fail("unknown layer \"\(Echo.short(text))\" (layers: \(layers.joined(separator: ", ")))", at: start)
                }
                return .layer(k)
            }
            let name = text.lowercased()
            guard FuzzyExpression.operatorNames.contains(name) else {
                throw fail(
                    "unknown operator \"\(Echo.short(text))\" (operators: \(FuzzyExpression.operatorNames.joined(separator: ", ")))",
                    at: start)
            }
            index += 1  // "("
            var gamma: Double?
            if name == "gamma" {
                let (number, _, at) = try token()
                guard let g = Double(number), g.isFinite else {
                    throw fail("gamma takes its γ first, a number in [0, 1], got \"\(Echo.short(number))\"", at: at)
                }
                guard g >= 0, g <= 1 else { throw fail("gamma's γ must lie in [0, 1], got \(Echo.short(number))", at: at) }
                gamma = g
                try expect(",", "after gamma's γ (gamma needs at least one operand)")
            }
            skipSpaces()
            if !atEnd, characters[index] == ")" { throw fail("\(name)() needs at least one operand") }
            var operands: [FuzzyExpression] = []
            while true {
                operands.append(try expression(depth: depth + 1))
                skipSpaces()
                guard !atEnd else { throw fail("\(name)( opened here is not closed", at: start) }
                if characters[index] == "," {
                    index += 1
                    continue
                }
                if characters[index] == ")" {
                    index += 1
                    break
                }
                throw fail("expected \",\" or \")\" in \(name)(…), got \"\(characters[index])\"")
            }
            switch name {
            case "and": return .and(operands)
            case "or": return .or(operands)
            case "product": return .product(operands)
            case "sum": return .sum(operands)
            default: return .gamma(gamma!, operands)
            }
        }
    }
}
