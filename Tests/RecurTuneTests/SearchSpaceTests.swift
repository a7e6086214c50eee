import Foundation
import RecurTensor
import RecurTrain
import XCTest
@testable import RecurTune

/// Spaces shared by the sampler tests.
enum Spaces {
    /// The old template's space (`hyperopt_pars`): mults for first, middle and last layers, a
    /// dropout rate for each, and 0–2 middle layers (middle settings only when there is one).
    static func template(mults: [Double] = [1, 2], midLayers: [Int] = [0, 1, 2]) throws -> SearchSpace {
        typealias N = TemplateConfig.SearchNames
        let middle = SearchCondition(parameter: N.middleCount, atLeast: 1)
        let rate = SearchDistribution.uniform(low: 0.1, high: 0.3)
        return try SearchSpace(SearchConfig(space: [
            SearchParameter(name: N.firstMult, distribution: .choice(mults.map { .number($0) })),
            SearchParameter(name: N.firstDropout, distribution: rate),
            SearchParameter(name: N.middleCount, distribution: .choice(midLayers.map { .number(Double($0)) })),
            SearchParameter(name: N.middleMult, distribution: .choice(mults.map { .number($0) }), condition: middle),
            SearchParameter(name: N.middleDropout, distribution: rate, condition: middle),
            SearchParameter(name: N.lastMult, distribution: .choice(mults.map { .number($0) })),
            SearchParameter(name: N.lastDropout, distribution: rate),
        ]))
    }

    /// A quadratic in three numeric parameters (uniform, log-uniform, int), a categorical
    /// parameter, and a choice of layer count with a dropout that exists only with ≥ 1 layer.
    static func synthetic() throws -> SearchSpace {
        try SearchSpace(parameters: [
            // Listed before its parent on purpose: the space orders parents first.
            SearchParameter(name: "dropout", distribution: .uniform(low: 0, high: 0.5),
                            condition: SearchCondition(parameter: "count", atLeast: 1)),
            SearchParameter(name: "x", distribution: .uniform(low: -5, high: 5)),
            SearchParameter(name: "lr", distribution: .logUniform(low: 1e-4, high: 1)),
            SearchParameter(name: "units", distribution: .int(low: 1, high: 64)),
            SearchParameter(name: "cell", distribution: .choice([.string("lstm"), .string("gru"), .string("simple_rnn")])),
            SearchParameter(name: "count", distribution: .choice([.number(0), .number(1), .number(2)])),
        ])
    }

    /// The synthetic objective: 0 at x = 1.3, lr = 10^-2.5, units = 40, lstm, 1 layer with dropout 0.2.
    static func objective(_ p: [String: SearchValue]) -> Double {
        func number(_ k: String) -> Double {
            guard case let .number(v)? = p[k] else { fatalError("\(k) missing from \(p)") }
            return v
        }
        let x = number("x"), lr = number("lr"), units = number("units")
        var f = (x - 1.3) * (x - 1.3) / 4 + pow(log10(lr) + 2.5, 2) / 2 + pow((units - 40) / 16, 2)
        switch p["cell"] {
        case .string("lstm")?: break
        case .string("gru")?: f += 0.3
        default: f += 1
        }
        let count = number("count")
        if count == 0 {
            f += 0.5
        } else {
            f += 8 * pow(number("dropout") - 0.2, 2) + (count == 1 ? 0 : 0.2)
        }
        return f
    }
}

final class SearchSpaceTests: XCTestCase {
    func testParentsComeFirstAndConditionsDecideActivity() throws {
        let space = try Spaces.synthetic()
        let names = space.parameters.map(\.name)
        XCTAssertEqual(names, ["x", "lr", "units", "cell", "count", "dropout"])
        let dropout = space.parameter(named: "dropout")!
        XCTAssertFalse(space.isActive(dropout, given: [:]))
        XCTAssertFalse(space.isActive(dropout, given: ["count": .number(0)]))
        XCTAssertTrue(space.isActive(dropout, given: ["count": .number(2)]))
        XCTAssertTrue(space.isActive(space.parameter(named: "x")!, given: [:]))
    }

    func testInvalidSpacesAreRejected() {
        func rejects(_ params: [SearchParameter], _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try SearchSpace(parameters: params), line: line) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error)", line: line)
            }
        }
        let a = SearchParameter(name: "a", distribution: .choice([.number(1), .number(2)]))
        rejects([], "no parameters")
        rejects([SearchParameter(name: "a", distribution: .choice([]))], "choice list of `a` is empty")
        rejects([SearchParameter(name: "a", distribution: .uniform(low: 2, high: 1))], "range of `a` is empty")
        rejects([SearchParameter(name: "a", distribution: .int(low: 5, high: 4))], "range of `a` is empty")
        rejects([SearchParameter(name: "a", distribution: .logUniform(low: 0, high: 1))], "0 < low")
        rejects([SearchParameter(name: "a", distribution: .quantized(low: 0.1, high: 0.2, q: 0.5))], "no multiple")
        rejects([a, a], "twice")
        rejects([a, SearchParameter(name: "b", distribution: .uniform(low: 0, high: 1), condition: SearchCondition(parameter: "c", atLeast: 1))],
                "`c`, which is not a parameter")
        rejects([SearchParameter(name: "b", distribution: .uniform(low: 0, high: 1), condition: SearchCondition(parameter: "b", atLeast: 1))],
                "itself")
        rejects([SearchParameter(name: "b", distribution: .choice([.number(1)]), condition: SearchCondition(parameter: "c", atLeast: 1)),
                 SearchParameter(name: "c", distribution: .choice([.number(1)]), condition: SearchCondition(parameter: "b", atLeast: 1))],
                "cycle")
    }

    func testRandomSamplesLieInRangeAndRespectConditions() throws {
        let space = try Spaces.synthetic()
        var rng = RandomGenerator(seed: 7)
        var units = Set<Double>(), logs: [Double] = [], withDropout = 0
        for _ in 0..<3000 {
            let p = space.sampleRandomly(using: &rng)
            XCTAssertTrue(space.contains(p), "\(p)")
            if case let .number(u)? = p["units"] { units.insert(u) }
            if case let .number(lr)? = p["lr"] { logs.append(log10(lr)) }
            if p["dropout"] != nil { withDropout += 1 }
        }
        XCTAssertEqual(units, Set((1...64).map(Double.init)), "every integer of the range comes up")
        XCTAssertEqual(logs.reduce(0, +) / Double(logs.count), -2, accuracy: 0.1, "uniform in log space")
        XCTAssertEqual(Double(withDropout) / 3000, 2.0 / 3, accuracy: 0.04, "active when count ≥ 1")
    }

    func testQuantizedValuesAreTheGridValues() throws {
        let d = SearchDistribution.quantized(low: 0.05, high: 0.5, q: 0.1)
        let space = try SearchSpace(parameters: [SearchParameter(name: "q", distribution: d)])
        XCTAssertEqual(space.gridSize, d.gridValues!.count)
        var seen = Set<SearchValue>()
        var rng = RandomGenerator(seed: 1)
        for _ in 0..<500 { seen.insert(space.sampleRandomly(using: &rng)["q"]!) }
        XCTAssertEqual(seen, Set(d.gridValues!))
    }

    func testContainsChecksActiveParametersAndValues() throws {
        let space = try Spaces.synthetic()
        let good: [String: SearchValue] = ["x": .number(0), "lr": .number(0.01), "units": .number(3), "cell": .string("gru"), "count": .number(0)]
        XCTAssertTrue(space.contains(good))
        var p = good; p["dropout"] = .number(0.1)
        XCTAssertFalse(space.contains(p), "dropout is inactive with count 0")
        p["count"] = .number(1)
        XCTAssertTrue(space.contains(p))
        p["units"] = .number(3.5)
        XCTAssertFalse(space.contains(p), "not an integer")
        p["units"] = .number(65)
        XCTAssertFalse(space.contains(p), "out of range")
        var q = good; q["x"] = nil
        XCTAssertFalse(space.contains(q), "an active parameter is missing")
    }

    func testGridSizeCountsConditionalPoints() throws {
        // count 0: no middle settings; count 1 or 2: a middle mult (2 values). First and last
        // mult: 2 each. 2 · (1 + 2 + 2) · 2 = 20 points.
        let space = try SearchSpace(parameters: [
            SearchParameter(name: "first", distribution: .choice([.number(1), .number(2)])),
            SearchParameter(name: "count", distribution: .int(low: 0, high: 2)),
            SearchParameter(name: "mult", distribution: .choice([.number(1), .number(2)]), condition: SearchCondition(parameter: "count", atLeast: 1)),
            SearchParameter(name: "last", distribution: .choice([.number(1), .number(2)])),
        ])
        XCTAssertEqual(space.gridSize, 20)
        var points: [[String: SearchValue]] = []
        space.forEachGridPoint { points.append($0); return true }
        XCTAssertEqual(points.count, 20)
        XCTAssertEqual(Set(points).count, 20)
        XCTAssertTrue(points.allSatisfy(space.contains))
        XCTAssertEqual(points.first, ["first": .number(1), "count": .number(0), "last": .number(1)])
        XCTAssertNil(try Spaces.template().gridSize, "dropout rates are continuous")
    }

    func testTemplateSpaceFromTheOldConfig() throws {
        let space = try Spaces.template()
        typealias N = TemplateConfig.SearchNames
        var rng = RandomGenerator(seed: 3)
        for _ in 0..<200 {
            let p = space.sampleRandomly(using: &rng)
            XCTAssertTrue(space.contains(p))
            XCTAssertEqual(p[N.middleMult] != nil, p[N.middleCount] != .number(0))
        }
    }
}
