import Foundation
import RecurTensor

/// Importing weights from PyTorch `state_dict`s and Keras models saved as safetensors, and
/// exporting them back in either layout. The mapping tables are in docs/weights.md.
///
/// PyTorch → Recur (Recur keeps Keras's layout):
///
/// | PyTorch | Recur |
/// |---|---|
/// | `<p>weight_ih_l<k>` `[G·H, In]` | `kernel` `[In, G·H]` (transposed) |
/// | `<p>weight_hh_l<k>` `[G·H, H]` | `recurrent_kernel` `[H, G·H]` (transposed) |
/// | `<p>bias_ih_l<k>` + `<p>bias_hh_l<k>` `[G·H]` | LSTM / SimpleRNN `bias` `[G·H]` (summed) |
/// | `<p>bias_ih_l<k>`, `<p>bias_hh_l<k>` | LSTM / SimpleRNN with `separateRecurrentBias`: `bias` rows 0 and 1 of `[2, G·H]` |
/// | `<p>bias_ih_l<k>`, `<p>bias_hh_l<k>` | GRU `bias` rows 0 and 1 of `[2, 3H]` |
/// | `<p>weight` `[out, in]`, `<p>bias` `[out]` (`nn.Linear`) | Dense `kernel` `[in, out]`, `bias` |
///
/// GRU gate blocks are reordered from PyTorch's r, z, n to Keras's z, r, h; PyTorch's GRU is
/// Keras's `reset_after=True`, so importing into a `resetAfter: false` GRU is an error.
///
/// Keras has one bias for LSTM and SimpleRNN: imported into a layer with
/// `separateRecurrentBias` it becomes row 0 (row 1 zeros), and such a layer exports the sum of
/// its rows (gradients: row 0's, the gradient with respect to the sum).
///
/// Matching layers to modules: with `prefixes` (one per layer that has parameters, in order)
/// each layer reads the module under its prefix — for PyTorch `lstm` or `lstm.`, and a
/// repeated prefix of a multi-layer `nn.LSTM` takes `_l0`, `_l1`, ... in turn (or say
/// `lstm[1]` explicitly); for Keras `lstm_0` or `lstm_0/`. Without `prefixes`, Keras files
/// are matched by layer name when every layer's name is in the file; otherwise each Recur
/// layer takes the next module *of its kind* (LSTM, GRU, SimpleRNN or Dense, told apart by
/// their shapes) with the module prefixes in natural order (numbers compared as numbers), and
/// every module of the file must be used.
///
/// Every problem (a missing key, a wrong shape, a wrong kind of layer, a GRU `reset_after`
/// mismatch, a non-finite value) throws `NNError.weights` naming the file, the layer and the
/// tensor; the model is unchanged then.
extension Sequential {
    // MARK: Public API

    /// Imports a PyTorch `state_dict` saved with `safetensors.torch.save_file`.
    public func importPyTorch(_ file: SafeTensors.File, prefixes: [String]? = nil) throws {
        let importer = WeightMapper(model: self, file: file)
        let assignments = try importer.torchAssignments(prefixes: prefixes)
        var updates: [(Parameter, Tensor)] = []
        for (spec, module) in assignments { updates += try importer.importTorch(spec, module) }
        try importer.commit(updates)
    }

    /// Imports a Keras model's weights saved as `<layer>/<kernel|recurrent_kernel|bias>`
    /// (Keras 3 paths such as `lstm/lstm_cell/kernel` are accepted too).
    public func importKeras(_ file: SafeTensors.File, prefixes: [String]? = nil) throws {
        let importer = WeightMapper(model: self, file: file)
        let assignments = try importer.kerasAssignments(prefixes: prefixes)
        var updates: [(Parameter, Tensor)] = []
        for (spec, prefix) in assignments { updates += try importer.importKeras(spec, prefix) }
        try importer.commit(updates)
    }

    /// The weights (or, with `gradients`, the parameter gradients) in PyTorch's layout, under
    /// `prefixes` as for `importPyTorch` (default: each layer's name, as its own module).
    /// Exported values put a single-bias LSTM's or SimpleRNN's bias in `bias_ih` and zeros in
    /// `bias_hh`; exported gradients put the bias gradient in both (the gradient of each).
    /// Layers with two bias rows (GRU with `resetAfter`, LSTM / SimpleRNN with
    /// `separateRecurrentBias`) export row 0 as `bias_ih` and row 1 as `bias_hh`.
    public func exportPyTorch(prefixes: [String]? = nil, gradients: Bool = false) throws -> SafeTensors.File {
        let mapper = WeightMapper(model: self, file: SafeTensors.File(tensors: []))
        let specs = try mapper.specs()
        let modules = try mapper.torchModules(for: specs, prefixes: prefixes ?? specs.map(\.layer.name))
        var tensors: [(name: String, tensor: Tensor)] = []
        for (spec, module) in zip(specs, modules) { tensors += mapper.exportTorch(spec, module, gradients: gradients) }
        return SafeTensors.File(tensors: tensors, metadata: ["recur.layout": "torch"])
    }

    /// The weights (or gradients) in Keras's layout under `<prefix>/<name>` (default prefix:
    /// the layer's name), the form `importKeras` reads. An LSTM's or SimpleRNN's two bias rows
    /// (`separateRecurrentBias`) are exported as Keras's one bias: their sum (gradients: row 0's,
    /// which is the gradient with respect to the sum).
    public func exportKeras(prefixes: [String]? = nil, gradients: Bool = false) throws -> SafeTensors.File {
        let mapper = WeightMapper(model: self, file: SafeTensors.File(tensors: []))
        let specs = try mapper.specs()
        let names = prefixes ?? specs.map(\.layer.name)
        try mapper.checkPrefixCount(names, specs)
        var tensors: [(name: String, tensor: Tensor)] = []
        for (spec, prefix) in zip(specs, names) {
            let p = WeightMapper.kerasPrefix(prefix)
            for param in spec.layer.parameters {
                let source = gradients ? param.gradient : param.value
                if param.name == "bias" && spec.separateRecurrentBias {
                    let n = source.count / 2
                    let b = Tensor(shape: [n])
                    for i in 0..<n { b[i] = gradients ? source[i] : source[i] + source[n + i] }
                    tensors.append((p + param.name, b))
                } else {
                    tensors.append((p + param.name, source.clone()))
                }
            }
        }
        return SafeTensors.File(tensors: tensors, metadata: ["recur.layout": "keras"])
    }
}

/// The importer's view of one layer with parameters.
struct ImportSpec {
    let layer: Layer
    let kind: LayerKind
    let inputSize: Int
    let units: Int
    /// GRU only: whether the bias is `[2, 3H]`.
    let resetAfter: Bool
    /// LSTM / SimpleRNN only: whether the bias is `[2, G·H]` (`separateRecurrentBias`).
    let separateRecurrentBias: Bool
    /// The layer's `kernel`, `bias` and (recurrent layers) `recurrent_kernel`.
    let kernel: Parameter, bias: Parameter, recurrentKernel: Parameter?

    /// Whether the bias has two rows (input and recurrent bias): GRU with `resetAfter`, LSTM
    /// and SimpleRNN with `separateRecurrentBias`.
    var twoBiasRows: Bool { resetAfter || separateRecurrentBias }

    /// Gate blocks: 4 (LSTM), 3 (GRU), 1 (SimpleRNN, Dense).
    var gates: Int { kind.gates }

    var isRecurrent: Bool { kind.isRecurrent }

    var label: String { "layer '\(layer.name)' (\(kind), \(units) units, input \(inputSize))" }

    /// The one table between Keras's layout and PyTorch's for this layer (see `GateLayout`).
    var layout: GateLayout { GateLayout(gates: gates, units: units, torchBlock: kind == .gru ? [1, 0, 2] : Array(0..<gates)) }
}

/// Where each element of a layer's weights sits in Keras's layout and in PyTorch's: the one
/// mapping that both import and export walk, in opposite directions.
///
/// A Keras matrix is `[rows, G·H]` with gate blocks in Keras's order; PyTorch's is its
/// transpose `[G·H, rows]` with the blocks in PyTorch's order (`torchBlock[kerasBlock]`:
/// GRU z ← 1, r ← 0, h ← 2; the identity for LSTM, SimpleRNN and Dense, whose one block is
/// the whole output). A bias row is the same with `rows` = 1 and no transpose.
struct GateLayout {
    let gates: Int
    let units: Int
    let torchBlock: [Int]

    var width: Int { gates * units }

    /// Calls `body(kerasIndex, torchIndex)` for every element of a `[rows, G·H]` matrix.
    func forEachMatrixElement(rows: Int, _ body: (Int, Int) -> Void) {
        for kb in 0..<gates {
            let tb = torchBlock[kb]
            for j in 0..<units {
                for i in 0..<rows { body(i * width + kb * units + j, (tb * units + j) * rows + i) }
            }
        }
    }

    /// Calls `body(kerasIndex, torchIndex)` for every element of one bias row of `[G·H]`.
    func forEachBiasElement(_ body: (Int, Int) -> Void) {
        for kb in 0..<gates { for j in 0..<units { body(kb * units + j, torchBlock[kb] * units + j) } }
    }

    /// PyTorch `[G·H, rows]` → Keras `[rows, G·H]`.
    func kerasMatrix(fromTorch w: Tensor, rows: Int) -> Tensor {
        let out = Tensor(shape: [rows, width])
        forEachMatrixElement(rows: rows) { k, t in out[k] = w[t] }
        return out
    }

    /// Keras `[rows, G·H]` → PyTorch `[G·H, rows]`.
    func torchMatrix(fromKeras m: Tensor, rows: Int) -> Tensor {
        let out = Tensor(shape: [width, rows])
        forEachMatrixElement(rows: rows) { k, t in out[t] = m[k] }
        return out
    }
}

/// A PyTorch module inside a state dict: a prefix and, for recurrent modules, a layer index.
struct TorchModule: Hashable {
    let prefix: String  // "" or ending in "."
    let index: Int?     // nil for nn.Linear
    var display: String { index.map { "\(prefix)*_l\($0)" } ?? "\(prefix)weight/bias" }
}

struct WeightMapper {
    let model: Sequential
    let file: SafeTensors.File
    let byName: [String: Tensor]

    init(model: Sequential, file: SafeTensors.File) {
        self.model = model
        self.file = file
        var map: [String: Tensor] = [:]
        for (n, t) in file.tensors { map[n] = t }
        byName = map
    }

    var path: String { file.path.isEmpty ? "<weights>" : file.path }

    func fail(_ reason: String) -> NNError { .weights(path: path, reason: reason) }

    // MARK: Layers

    func specs() throws -> [ImportSpec] {
        try model.parametrisedLayers.map { layer in
            guard layer.kind != .dropout else {
                throw fail("layer '\(layer.name)' of kind \(layer.kind) cannot take imported weights")
            }
            let byName = Dictionary(layer.parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let expected = layer.kind.isRecurrent ? ["kernel", "recurrent_kernel", "bias"] : ["kernel", "bias"]
            guard let kernel = byName["kernel"], let bias = byName["bias"], expected.allSatisfy({ byName[$0] != nil }) else {
                throw fail("layer '\(layer.name)' (\(layer.kind)) has parameters \(layer.parameters.map(\.name)), expected \(expected)")
            }
            let twoRows = bias.shape.count == 2
            return ImportSpec(layer: layer, kind: layer.kind, inputSize: layer.inputSize, units: layer.outputSize,
                              resetAfter: layer.kind == .gru && twoRows,
                              separateRecurrentBias: (layer.kind == .lstm || layer.kind == .simpleRNN) && twoRows,
                              kernel: kernel, bias: bias, recurrentKernel: byName["recurrent_kernel"])
        }
    }

    func checkPrefixCount(_ prefixes: [String], _ specs: [ImportSpec]) throws {
        guard prefixes.count == specs.count else {
            throw fail("\(prefixes.count) prefixes given for \(specs.count) layers with parameters (\(specs.map(\.layer.name).joined(separator: ", ")))")
        }
    }

    func tensor(_ key: String, _ spec: ImportSpec) throws -> Tensor {
        guard let t = byName[key] else {
            throw fail("\(spec.label): no tensor '\(key)' in the file (it has: \(file.names.sorted().prefix(24).joined(separator: ", ")))")
        }
        return t
    }

    func checkShape(_ t: Tensor, _ key: String, _ expected: [Int], _ spec: ImportSpec, _ meaning: String) throws {
        guard t.shape == expected else {
            var hint = ""
            if spec.isRecurrent, t.rank >= 1, expected.count >= 1, spec.units > 0 {
                let rows = key.contains("weight_") || key.contains("bias_") ? t.shape[0] : t.shape[t.rank - 1]
                if rows % spec.units == 0 && rows / spec.units != spec.gates {
                    let ratio = rows / spec.units
                    let kind = LayerKind.recurrent(gateRatio: ratio).map(\.rawValue) ?? "\(ratio) gate blocks"
                    hint = " — it looks like a \(kind) of \(spec.units) units"
                }
            }
            throw fail("\(spec.label): tensor '\(key)' has shape \(t.shape), expected \(expected) (\(meaning))\(hint)")
        }
    }

    /// Checks every new value and copies them in (all or nothing).
    func commit(_ updates: [(Parameter, Tensor)]) throws {
        for (p, t) in updates {
            precondition(p.shape == t.shape)
            if let i = t.firstNonFinite() {
                throw fail("the value for parameter '\(p.name)' holds the non-finite value \(t[i]) at index \(t.multiIndex(of: i))")
            }
        }
        for (p, t) in updates { p.value.copy(from: t) }
    }

    // MARK: PyTorch

    /// The modules of the file's keys.
    func torchFileModules() throws -> [TorchModule: LayerKind?] {
        var modules: [TorchModule: LayerKind?] = [:]
        for key in file.names {
            let (prefix, leaf) = WeightMapper.splitTorch(key)
            if leaf == "weight" || leaf == "bias" {
                modules[TorchModule(prefix: prefix, index: nil)] = .some(.dense)
                continue
            }
            for stem in ["weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l", "weight_hr_l"] where leaf.hasPrefix(stem) {
                let rest = leaf.dropFirst(stem.count)
                if rest.hasSuffix("_reverse") {
                    throw fail("'\(key)': bidirectional recurrent modules are not supported")
                }
                if stem == "weight_hr_l" { throw fail("'\(key)': LSTMs with projections (proj_size) are not supported") }
                guard let k = Int(rest) else { continue }
                let module = TorchModule(prefix: prefix, index: k)
                modules[module] = byName["\(prefix)weight_hh_l\(k)"].flatMap {
                    LayerKind.recurrent(kernelShape: $0.shape, transposed: true)
                }
            }
        }
        return modules
    }

    static func splitTorch(_ key: String) -> (prefix: String, leaf: String) {
        guard let dot = key.lastIndex(of: ".") else { return ("", key) }
        return (String(key[...dot]), String(key[key.index(after: dot)...]))
    }

    /// Parses user prefixes into modules: `lstm`, `lstm.`, `lstm[1]`, `` (bare keys).
    func torchModules(for specs: [ImportSpec], prefixes: [String]) throws -> [TorchModule] {
        try checkPrefixCount(prefixes, specs)
        var seen: [String: Int] = [:]
        return try zip(specs, prefixes).map { spec, raw in
            var text = raw
            var explicit: Int? = nil
            if text.hasSuffix("]"), let open = text.lastIndex(of: "[") {
                guard let k = Int(text[text.index(after: open)..<text.index(before: text.endIndex)]), k >= 0 else {
                    throw fail("\(spec.label): prefix '\(raw)' has a bad layer index (write e.g. 'lstm[1]')")
                }
                explicit = k
                text = String(text[..<open])
            }
            if !text.isEmpty && !text.hasSuffix(".") { text += "." }
            guard spec.isRecurrent else {
                if explicit != nil { throw fail("\(spec.label): prefix '\(raw)': a Linear module has no layer index") }
                return TorchModule(prefix: text, index: nil)
            }
            let index = explicit ?? seen[text, default: 0]
            seen[text] = index + 1
            return TorchModule(prefix: text, index: index)
        }
    }

    func torchAssignments(prefixes: [String]?) throws -> [(ImportSpec, TorchModule)] {
        let specs = try self.specs()
        if let prefixes { return Array(zip(specs, try torchModules(for: specs, prefixes: prefixes))) }
        let modules = try torchFileModules()
        let ordered = modules.keys.sorted { a, b in
            if a.prefix != b.prefix { return WeightMapper.naturalLess(a.prefix, b.prefix) }
            return (a.index ?? -1) < (b.index ?? -1)
        }
        return try matchByKind(specs, ordered: ordered, kinds: modules, name: \.display, noun: "module")
    }

    /// Gives each layer, in order, the first unused group of the file (`ordered`) of its kind;
    /// every group must be used. `noun` names a group in errors ("module", "layer").
    func matchByKind<Group: Hashable>(_ specs: [ImportSpec], ordered: [Group], kinds: [Group: LayerKind?],
                                      name: (Group) -> String, noun: String) throws -> [(ImportSpec, Group)] {
        var used = Set<Group>()
        var result: [(ImportSpec, Group)] = []
        for spec in specs {
            guard let group = ordered.first(where: { !used.contains($0) && kinds[$0] == .some(spec.kind) }) else {
                let listing = ordered.map { "\(name($0)) (\(kinds[$0].flatMap { $0 }.map(\.rawValue) ?? "unknown"))" }
                throw fail("\(spec.label): no unused \(spec.kind) \(noun) left in the file (\(noun)s: \(listing.joined(separator: ", "))); pass prefixes to choose")
            }
            used.insert(group)
            result.append((spec, group))
        }
        let left = ordered.filter { !used.contains($0) }
        if !left.isEmpty {
            throw fail("the file has \(noun)s no layer of model '\(model.name)' matched: \(left.map(name).joined(separator: ", ")); pass prefixes to choose")
        }
        return result
    }

    func importTorch(_ spec: ImportSpec, _ module: TorchModule) throws -> [(Parameter, Tensor)] {
        let (In, H, G) = (spec.inputSize, spec.units, spec.gates)
        let p = module.prefix
        let layout = spec.layout
        if spec.kind == .dense {
            let wKey = p + "weight", bKey = p + "bias"
            let w = try tensor(wKey, spec)
            try checkShape(w, wKey, [H, In], spec, "[out, in] of nn.Linear")
            let b = try tensor(bKey, spec)
            try checkShape(b, bKey, [H], spec, "[out]")
            return [(spec.kernel, layout.kerasMatrix(fromTorch: w, rows: In)), (spec.bias, b.clone())]
        }
        guard let k = module.index, let recurrentKernel = spec.recurrentKernel else {
            throw fail("\(spec.label): module '\(p)' is not recurrent")
        }
        let wihKey = "\(p)weight_ih_l\(k)", whhKey = "\(p)weight_hh_l\(k)"
        let bihKey = "\(p)bias_ih_l\(k)", bhhKey = "\(p)bias_hh_l\(k)"
        if spec.kind == .gru && !spec.resetAfter {
            throw fail("\(spec.label) has resetAfter false, but PyTorch's GRU ('\(p)*_l\(k)') is the reset_after=True formulation; build the GRU with resetAfter: true")
        }
        let wih = try tensor(wihKey, spec)
        try checkShape(wih, wihKey, [G * H, In], spec, "[\(G)·units, inputSize]")
        let whh = try tensor(whhKey, spec)
        try checkShape(whh, whhKey, [G * H, H], spec, "[\(G)·units, units]")
        let bih = try tensor(bihKey, spec)
        try checkShape(bih, bihKey, [G * H], spec, "[\(G)·units]")
        let bhh = try tensor(bhhKey, spec)
        try checkShape(bhh, bhhKey, [G * H], spec, "[\(G)·units]")
        let bias: Tensor
        if spec.twoBiasRows {
            bias = Tensor(shape: [2, G * H])
            layout.forEachBiasElement { kerasIndex, torchIndex in
                bias[kerasIndex] = bih[torchIndex]
                bias[G * H + kerasIndex] = bhh[torchIndex]
            }
        } else {
            bias = Tensor(shape: [G * H])
            layout.forEachBiasElement { kerasIndex, torchIndex in bias[kerasIndex] = bih[torchIndex] + bhh[torchIndex] }
        }
        return [(spec.kernel, layout.kerasMatrix(fromTorch: wih, rows: In)),
                (recurrentKernel, layout.kerasMatrix(fromTorch: whh, rows: H)),
                (spec.bias, bias)]
    }

    func exportTorch(_ spec: ImportSpec, _ module: TorchModule, gradients: Bool) -> [(name: String, tensor: Tensor)] {
        let (In, H, G) = (spec.inputSize, spec.units, spec.gates)
        func source(_ p: Parameter) -> Tensor { gradients ? p.gradient : p.value }
        let p = module.prefix, layout = spec.layout
        guard let recurrentKernel = spec.recurrentKernel else {  // Dense
            return [(p + "weight", layout.torchMatrix(fromKeras: source(spec.kernel), rows: In)), (p + "bias", source(spec.bias).clone())]
        }
        let k = module.index ?? 0
        let bias = source(spec.bias)
        let bih = Tensor(shape: [G * H]), bhh = Tensor(shape: [G * H])
        layout.forEachBiasElement { kerasIndex, torchIndex in
            bih[torchIndex] = bias[kerasIndex]
            if spec.twoBiasRows {
                bhh[torchIndex] = bias[G * H + kerasIndex]
            } else if gradients {
                bhh[torchIndex] = bias[kerasIndex]  // the gradient of each of the two summed biases
            }
        }
        return [("\(p)weight_ih_l\(k)", layout.torchMatrix(fromKeras: source(spec.kernel), rows: In)),
                ("\(p)weight_hh_l\(k)", layout.torchMatrix(fromKeras: source(recurrentKernel), rows: H)),
                ("\(p)bias_ih_l\(k)", bih), ("\(p)bias_hh_l\(k)", bhh)]
    }

    // MARK: Keras

    static func kerasPrefix(_ raw: String) -> String {
        raw.isEmpty || raw.hasSuffix("/") ? raw : raw + "/"
    }

    static let kerasLeaves = ["kernel", "recurrent_kernel", "bias"]

    /// The layer prefix of a Keras key: `lstm/kernel` → `lstm/`; `lstm/lstm_cell/kernel` →
    /// `lstm/` (a trailing `*cell` component is dropped). `nil` for other keys.
    static func kerasGroup(_ key: String) -> String? {
        var parts = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let leaf = parts.popLast(), kerasLeaves.contains(leaf) else { return nil }
        if parts.count >= 2, parts[parts.count - 1].hasSuffix("cell") { parts.removeLast() }
        return parts.isEmpty ? "" : parts.joined(separator: "/") + "/"
    }

    /// The key for `leaf` under `prefix`: `prefix + leaf`, or `prefix + <x>cell/ + leaf`.
    func kerasKey(_ prefix: String, _ leaf: String, _ spec: ImportSpec) throws -> String {
        if byName[prefix + leaf] != nil { return prefix + leaf }
        let candidates = file.names.filter { name in
            guard name.hasPrefix(prefix), name.hasSuffix("/" + leaf) else { return false }
            let middle = name.dropFirst(prefix.count).dropLast(leaf.count + 1)
            return !middle.isEmpty && !middle.contains("/") && middle.hasSuffix("cell")
        }
        if candidates.count == 1 { return candidates[0] }
        if candidates.count > 1 {
            throw fail("\(spec.label): several tensors could be '\(prefix)\(leaf)': \(candidates.joined(separator: ", "))")
        }
        return prefix + leaf  // absent: `tensor` reports it
    }

    func kerasAssignments(prefixes: [String]?) throws -> [(ImportSpec, String)] {
        let specs = try self.specs()
        if let prefixes {
            try checkPrefixCount(prefixes, specs)
            return zip(specs, prefixes.map(WeightMapper.kerasPrefix)).map { ($0, $1) }
        }
        var groups: [String: LayerKind?] = [:]
        for key in file.names {
            guard let g = WeightMapper.kerasGroup(key) else { continue }
            let known = groups[g] ?? nil  // the kind found so far, nil if none
            if groups[g] == nil { groups[g] = .some(nil) }
            if key.hasSuffix("recurrent_kernel"), let rk = byName[key] {
                groups[g] = LayerKind.recurrent(kernelShape: rk.shape)
            } else if known == nil, key.hasSuffix("kernel"), !key.hasSuffix("recurrent_kernel") {
                let hasRecurrent = file.names.contains { WeightMapper.kerasGroup($0) == g && $0.hasSuffix("recurrent_kernel") }
                if !hasRecurrent { groups[g] = .some(.dense) }
            }
        }
        if specs.allSatisfy({ groups[$0.layer.name + "/"] != nil }) && specs.count == groups.count {
            return specs.map { ($0, $0.layer.name + "/") }
        }
        let ordered = groups.keys.sorted(by: WeightMapper.naturalLess)
        return try matchByKind(specs, ordered: ordered, kinds: groups, name: { $0 }, noun: "layer")
    }

    func importKeras(_ spec: ImportSpec, _ prefix: String) throws -> [(Parameter, Tensor)] {
        var updates: [(Parameter, Tensor)] = []
        for param in spec.layer.parameters where WeightMapper.kerasLeaves.contains(param.name) {
            let key = try kerasKey(prefix, param.name, spec)
            let t = try tensor(key, spec)
            if spec.kind == .gru && param.name == "bias" && t.shape != param.shape {
                if t.shape == [3 * spec.units] && spec.resetAfter {
                    throw fail("\(spec.label): '\(key)' has shape \(t.shape), a Keras GRU with reset_after=False; build the GRU with resetAfter: false")
                }
                if t.shape == [2, 3 * spec.units] && !spec.resetAfter {
                    throw fail("\(spec.label): '\(key)' has shape \(t.shape), a Keras GRU with reset_after=True; build the GRU with resetAfter: true")
                }
            }
            if param.name == "bias" && spec.separateRecurrentBias && t.shape == [spec.gates * spec.units] {
                // Keras's one bias → row 0 (input bias), zeros in row 1.
                let n = t.count
                let b = Tensor(shape: param.shape)
                for i in 0..<n { b[i] = t[i] }
                updates.append((param, b))
                continue
            }
            if param.name == "bias" && (spec.kind == .lstm || spec.kind == .simpleRNN) && !spec.separateRecurrentBias
                && t.shape == [2, spec.gates * spec.units] {
                throw fail("\(spec.label): '\(key)' has shape \(t.shape), two bias rows (input and recurrent); build the layer with separateRecurrentBias: true")
            }
            try checkShape(t, key, param.shape, spec, "Keras layout")
            updates.append((param, t.clone()))
        }
        return updates
    }

    // MARK: Natural order

    /// Compares strings with runs of digits compared as numbers: `layers.2.` < `layers.10.`.
    static func naturalLess(_ a: String, _ b: String) -> Bool {
        func chunks(_ s: String) -> [(String, Int?)] {
            var out: [(String, Int?)] = []
            var current = "", digits = false
            for ch in s {
                let isDigit = ch.isASCII && ch.isNumber
                if !current.isEmpty && isDigit != digits {
                    out.append((current, digits ? Int(current) : nil))
                    current = ""
                }
                digits = isDigit
                current.append(ch)
            }
            if !current.isEmpty { out.append((current, digits ? Int(current) : nil)) }
            return out
        }
        let ca = chunks(a), cb = chunks(b)
        for (x, y) in zip(ca, cb) {
            if let nx = x.1, let ny = y.1 {
                if nx != ny { return nx < ny }
            } else if x.0 != y.0 {
                return x.0 < y.0
            }
        }
        return ca.count < cb.count
    }
}
