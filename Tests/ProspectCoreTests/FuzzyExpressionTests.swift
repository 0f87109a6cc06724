import Foundation
import Testing

@testable import ProspectCore

@Suite("Fuzzy expressions: text form and operators")
struct FuzzyExpressionTests {
    static let layers = ["th", "mag", "fd", "lith", "and", "my layer", "q\"x"]

    @Test(
        "printing then parsing gives the same expression",
        arguments: [
            "gamma(0.9, and(th, mag), or(fd, lith))",
            "th",
            "and(th)",
            "product(th, mag, fd)",
            "sum(th, product(mag, fd), or(lith, th))",
            "gamma(0, th, mag)",
            "gamma(1, th, mag)",
            "gamma(0.25, gamma(0.75, th, mag), and(fd, or(lith, and)))",
            "or(\"my layer\", \"q\\\"x\", and)",
        ])
    func roundTrip(text: String) throws {
        let e = try FuzzyExpression(parsing: text, layers: Self.layers)
        let printed = e.text(layers: Self.layers)
        #expect(printed == text)
        #expect(try FuzzyExpression(parsing: printed, layers: Self.layers) == e)
    }

    @Test func spacingAndCaseAreFree() throws {
        let e = try FuzzyExpression(parsing: "  GAMMA( 0.9 ,AND(th,mag) , Or( fd ,lith ) ) ", layers: Self.layers)
        #expect(e == .gamma(0.9, [.and([.layer(0), .layer(1)]), .or([.layer(2), .layer(3)])]))
        #expect(e.text(layers: Self.layers) == "gamma(0.9, and(th, mag), or(fd, lith))")
        #expect(e.layers == [0, 1, 2, 3])
        // A layer called "and" is a layer where no "(" follows.
        #expect(try FuzzyExpression(parsing: "or(and, th)", layers: Self.layers) == .or([.layer(4), .layer(0)]))
    }

    @Test(
        "parse errors name the problem and the position",
        arguments: [
            ("", "at character 1: the expression is empty"),
            ("and(th, thx)", "at character 9: unknown layer \"thx\" (layers: th, mag, fd, lith, and, my layer, q\"x)"),
            ("min(th, mag)", "at character 1: unknown operator \"min\" (operators: and, or, product, sum, gamma)"),
            ("and(th, mag", "at character 1: and( opened here is not closed"),
            ("and(th mag)", "at character 8: expected \",\" or \")\" in and(…), got \"m\""),
            ("and()", "at character 5: and() needs at least one operand"),
            ("gamma(1.5, th, mag)", "at character 7: gamma's γ must lie in [0, 1], got 1.5"),
            ("gamma(th, mag)", "at character 7: gamma takes its γ first, a number in [0, 1], got \"th\""),
            ("gamma(0.5)", "at character 10: expected \",\" after gamma's γ (gamma needs at least one operand), got \")\""),
            ("and(th, mag) fd", "at character 14: unexpected \"fd\" after the expression"),
            ("and(th, \"mag)", "at character 9: the quoted name opened here is not closed"),
            ("and(th, )", "at character 9: expected a layer name or an operator, got \")\""),
            ("and(th,", "at character 8: the expression ends early: expected a layer name or an operator"),
        ])
    func errors(text: String, message: String) {
        do {
            _ = try FuzzyExpression(parsing: text, layers: Self.layers)
            Issue.record("\(text) parsed")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "and(", count: 70) + "th" + String(repeating: ")", count: 70)
        #expect(throws: FuzzyExpression.ParseError.self) { try FuzzyExpression(parsing: deep, layers: Self.layers) }
        let fine = String(repeating: "and(", count: 60) + "th" + String(repeating: ")", count: 60)
        #expect((try? FuzzyExpression(parsing: fine, layers: Self.layers)) != nil)
    }

    @Test("each operator at hand-computed values (μ = 0.8 and 0.5)")
    func operators() {
        let m = [0.8, 0.5]
        let a = FuzzyExpression.layer(0)
        let b = FuzzyExpression.layer(1)
        #expect(FuzzyExpression.and([a, b]).evaluate(m) == 0.5)
        #expect(FuzzyExpression.or([a, b]).evaluate(m) == 0.8)
        #expect(abs(FuzzyExpression.product([a, b]).evaluate(m) - 0.4) < 1e-15)
        #expect(abs(FuzzyExpression.sum([a, b]).evaluate(m) - 0.9) < 1e-15)
        // 0.9^0.9 · 0.4^0.1
        #expect(abs(FuzzyExpression.gamma(0.9, [a, b]).evaluate(m) - 0.829897120333555) < 1e-12)
        #expect(FuzzyExpression.gamma(1, [a, b]).evaluate(m) == FuzzyExpression.sum([a, b]).evaluate(m))
        #expect(FuzzyExpression.gamma(0, [a, b]).evaluate(m) == FuzzyExpression.product([a, b]).evaluate(m))
        // A zero membership: product and gamma < 1 are 0, gamma 1 (the sum) is not.
        #expect(FuzzyExpression.gamma(0.9, [a, b]).evaluate([0, 0.5]) == 0)
        #expect(FuzzyExpression.gamma(1, [a, b]).evaluate([0, 0.5]) == 0.5)
    }

    @Test func nestedOperators() throws {
        // and(0.9, 0.8) = 0.8, or(0.7, 0.2) = 0.7; sum 0.94, product 0.56; 0.94^0.9 · 0.56^0.1.
        let e = try FuzzyExpression(parsing: "gamma(0.9, and(th, mag), or(fd, lith))", layers: Self.layers)
        #expect(abs(e.evaluate([0.9, 0.8, 0.7, 0.2]) - 0.8925527058738575) < 1e-12)
    }
}
