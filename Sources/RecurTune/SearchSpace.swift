import Foundation
import RecurTensor
import RecurTrain

/// A search space that cannot be searched (an empty range or choice, a condition on a parameter
/// that does not exist, a cycle of conditions, ...). The config reader reports most of these with
/// their file position first; this is the check for spaces built in code.
public struct SearchSpaceError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The space of a `SearchConfig`: parameters with their distributions and conditions. A parameter
/// is active only when its condition holds for the value chosen for the parameter it depends on
/// (and that one is active); `parameters` are ordered so that every parameter comes after the one
/// its condition looks at (file order otherwise), and samplers choose values in this order.
public struct SearchSpace: Sendable {
    /// The parameters, parents before the parameters whose conditions look at them.
    public let parameters: [SearchParameter]
    /// `domains[k]` is how `parameters[k]` is sampled and modelled.
    let domains: [Domain]
    /// Parameter name -> index in `parameters`.
    let indexByName: [String: Int]
    /// `children[k]`: indices of the parameters whose condition looks at `parameters[k]`.
    let children: [[Int]]

    public init(_ config: SearchConfig) throws {
        try self.init(parameters: config.space)
    }

    /// A space of these parameters (validated: non-empty ranges and choices, conditions on other
    /// existing parameters, no cycles).
    public init(parameters given: [SearchParameter]) throws {
        guard !given.isEmpty else { throw SearchSpaceError("the search space has no parameters") }
        var names = Set<String>()
        for p in given where !names.insert(p.name).inserted {
            throw SearchSpaceError("the search space names `\(p.name)` twice")
        }
        for p in given {
            guard let c = p.condition else { continue }
            guard c.parameter != p.name else {
                throw SearchSpaceError("the condition of `\(p.name)` refers to `\(p.name)` itself")
            }
            guard names.contains(c.parameter) else {
                throw SearchSpaceError("the condition of `\(p.name)` refers to `\(c.parameter)`, which is not a parameter of the search space")
            }
        }
        // Parents first: repeatedly take, in file order, the parameters whose parent is placed.
        var ordered: [SearchParameter] = []
        var placed = Set<String>()
        var pending = given
        while !pending.isEmpty {
            let ready = pending.filter { p in p.condition.map { placed.contains($0.parameter) } ?? true }
            guard !ready.isEmpty else {
                throw SearchSpaceError("the conditions of " + pending.map { "`\($0.name)`" }.joined(separator: ", ") + " form a cycle")
            }
            for p in ready { ordered.append(p); placed.insert(p.name) }
            let readyNames = Set(ready.map(\.name))
            pending.removeAll { readyNames.contains($0.name) }
        }
        parameters = ordered
        domains = try ordered.map { try Domain($0) }
        var index: [String: Int] = [:]
        for (k, p) in ordered.enumerated() { index[p.name] = k }
        indexByName = index
        var kids = Array(repeating: [Int](), count: ordered.count)
        for (k, p) in ordered.enumerated() {
            if let c = p.condition { kids[index[c.parameter]!].append(k) }
        }
        children = kids
    }

    /// The parameter called `name`.
    public func parameter(named name: String) -> SearchParameter? {
        indexByName[name].map { parameters[$0] }
    }

    /// Whether `p` is sampled, given the values chosen so far: always without a condition;
    /// with one, when the parameter it looks at has a value for which the condition holds.
    public func isActive(_ p: SearchParameter, given chosen: [String: SearchValue]) -> Bool {
        guard let c = p.condition else { return true }
        guard let v = chosen[c.parameter] else { return false }
        return c.holds(for: v)
    }

    /// A point drawn uniformly: each active parameter independently, uniform on its range (in log
    /// space for `log_uniform`), on its grid (`int`, `quantized`) or on its choices.
    public func sampleRandomly(using rng: inout RandomGenerator) -> [String: SearchValue] {
        var chosen: [String: SearchValue] = [:]
        for (k, p) in parameters.enumerated() where isActive(p, given: chosen) {
            chosen[p.name] = domains[k].sampleUniformly(using: &rng)
        }
        return chosen
    }

    /// Whether `params` is a point of this space: exactly the active parameters, each with a
    /// value its distribution can produce.
    public func contains(_ params: [String: SearchValue]) -> Bool {
        var active = 0
        for (k, p) in parameters.enumerated() {
            let isOn = isActive(p, given: params)
            guard let v = params[p.name] else {
                if isOn { return false }
                continue
            }
            guard isOn, domains[k].contains(v) else { return false }
            active += 1
        }
        return active == params.count
    }

    /// The number of distinct points (active parameters and their values) of the grid; nil when
    /// a parameter is continuous (`uniform`, `log_uniform`). Saturates at `Int.max`.
    public var gridSize: Int? {
        guard domains.allSatisfy({ $0.count != nil }) else { return nil }
        // A parameter whose parent is inactive is inactive too, so the conditions form a forest:
        // the points under a parameter are the sum, over its values, of the product of the
        // points under the children that value activates.
        func points(_ k: Int) -> Int {
            var total = 0
            for i in 0..<domains[k].count! {
                let v = domains[k].value(at: i)
                var product = 1
                for c in children[k] where parameters[c].condition!.holds(for: v) {
                    product = saturatingMultiply(product, points(c))
                }
                total = saturatingAdd(total, product)
            }
            return total
        }
        var size = 1
        for (k, p) in parameters.enumerated() where p.condition == nil {
            size = saturatingMultiply(size, points(k))
        }
        return size
    }

    /// Calls `body` with every grid point in a fixed order (the first parameter varies slowest,
    /// values in the order of their choice list or ascending), until it returns false. Does
    /// nothing when a parameter is continuous.
    public func forEachGridPoint(_ body: ([String: SearchValue]) -> Bool) {
        guard domains.allSatisfy({ $0.count != nil }) else { return }
        var chosen: [String: SearchValue] = [:]
        func visit(_ k: Int) -> Bool {
            if k == parameters.count { return body(chosen) }
            let p = parameters[k]
            guard isActive(p, given: chosen) else { return visit(k + 1) }
            for i in 0..<domains[k].count! {
                chosen[p.name] = domains[k].value(at: i)
                if !visit(k + 1) { chosen[p.name] = nil; return false }
            }
            chosen[p.name] = nil
            return true
        }
        _ = visit(0)
    }
}

private func saturatingMultiply(_ a: Int, _ b: Int) -> Int {
    let (r, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : r
}

private func saturatingAdd(_ a: Int, _ b: Int) -> Int {
    let (r, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : r
}

/// How one parameter is sampled and modelled.
enum Domain: Sendable {
    /// One of the values, unordered.
    case categorical([SearchValue])
    /// A real range (`uniform`, or `log_uniform` with `log`).
    case continuous(low: Double, high: Double, log: Bool)
    /// `count` evenly spaced values `(first + i) * step`, i in 0..<count (`int`: step 1;
    /// `quantized`: the multiples of q in [low, high]).
    case discrete(first: Double, count: Int, step: Double)

    init(_ p: SearchParameter) throws {
        func checkRange(_ low: Double, _ high: Double) throws {
            guard low.isFinite, high.isFinite else { throw SearchSpaceError("the range of `\(p.name)` must be finite") }
            guard low <= high else { throw SearchSpaceError("the range of `\(p.name)` is empty (low \(low) > high \(high))") }
        }
        switch p.distribution {
        case let .choice(values):
            guard !values.isEmpty else { throw SearchSpaceError("the choice list of `\(p.name)` is empty") }
            self = .categorical(values)
        case let .uniform(low, high):
            try checkRange(low, high)
            self = .continuous(low: low, high: high, log: false)
        case let .logUniform(low, high):
            try checkRange(low, high)
            guard low > 0 else { throw SearchSpaceError("the log-uniform range of `\(p.name)` needs 0 < low") }
            self = .continuous(low: low, high: high, log: true)
        case let .int(low, high):
            guard low <= high else { throw SearchSpaceError("the range of `\(p.name)` is empty (low \(low) > high \(high))") }
            let (span, overflow) = high.subtractingReportingOverflow(low)
            guard !overflow, span < Int.max, abs(low) < 1 << 53, abs(high) < 1 << 53 else {
                throw SearchSpaceError("the integer range of `\(p.name)` is too wide")
            }
            self = .discrete(first: Double(low), count: span + 1, step: 1)
        case let .quantized(low, high, q):
            try checkRange(low, high)
            guard q > 0, q.isFinite else { throw SearchSpaceError("the step of `\(p.name)` must be a number > 0") }
            // The same points as `SearchDistribution.gridValues`: k·q for k from ceil(low/q)
            // while k·q ≤ high (up to rounding).
            let first = (low / q).rounded(.up)
            let top = high + 1e-12 * max(1, abs(high))
            var last = (top / q).rounded(.down)
            while (last + 1) * q <= top { last += 1 }
            while last * q > top { last -= 1 }
            guard last >= first else {
                throw SearchSpaceError("the quantized range of `\(p.name)` holds no multiple of \(q) between \(low) and \(high)")
            }
            guard last - first < 1e15 else { throw SearchSpaceError("the quantized range of `\(p.name)` has too many points") }
            self = .discrete(first: first, count: Int(last - first) + 1, step: q)
        }
    }

    /// The number of values; nil for a continuous range.
    var count: Int? {
        switch self {
        case let .categorical(v): return v.count
        case let .discrete(_, n, _): return n
        case .continuous: return nil
        }
    }

    /// Value `i` of a categorical or discrete domain.
    func value(at i: Int) -> SearchValue {
        switch self {
        case let .categorical(v): return v[i]
        case let .discrete(first, _, step): return .number((first + Double(i)) * step)
        case let .continuous(low, _, _): return .number(low)
        }
    }

    /// The index of `v` in a categorical or discrete domain (nearest grid point for numbers within
    /// half a step of the range); nil when it is not one of its values.
    func index(of v: SearchValue) -> Int? {
        switch self {
        case let .categorical(values): return values.firstIndex(of: v)
        case let .discrete(first, n, step):
            guard case let .number(x) = v, x.isFinite else { return nil }
            let i = (x / step - first).rounded()
            guard i >= 0, i < Double(n) else { return nil }
            return Int(i)
        case .continuous: return nil
        }
    }

    func contains(_ v: SearchValue) -> Bool {
        switch self {
        case let .categorical(values): return values.contains(v)
        case let .continuous(low, high, _):
            guard case let .number(x) = v else { return false }
            return x >= low && x <= high
        case .discrete:
            guard let i = index(of: v), case let .number(x) = v, case let .number(g) = value(at: i) else { return false }
            return abs(x - g) <= 1e-9 * max(1, abs(g))
        }
    }

    func sampleUniformly(using rng: inout RandomGenerator) -> SearchValue {
        switch self {
        case let .categorical(values): return values[rng.nextInt(below: values.count)]
        case let .discrete(_, n, _): return value(at: rng.nextInt(below: n))
        case let .continuous(low, high, log):
            let u = rng.nextUniformDouble()
            if log {
                let a = Foundation.log(low), b = Foundation.log(high)
                return .number(min(max(exp(a + (b - a) * u), low), high))
            }
            return .number(min(low + (high - low) * u, high))
        }
    }
}
