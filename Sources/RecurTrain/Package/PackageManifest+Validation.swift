import Foundation

/// Reading `manifest.json` and checking that its parts agree, so that a damaged or edited
/// manifest is refused by name instead of changing a forecast: the architecture's layers chain,
/// its input is the window's (`n_past_steps` × columns, as timesteps × features) and its output
/// the window's outputs; the scaler covers the columns with finite, non-zero scales; the step
/// is positive.
extension PackageManifest {
    /// Decodes and checks manifest bytes; `path` (the manifest file) names it in errors.
    /// - Throws: `PackageError` naming `path`: `.notAPackage` for JSON that is not a Recur
    ///   manifest, `.unsupportedVersion`, `.retiredVersion`, `.corrupt` for a manifest that does not decode or whose
    ///   parts disagree.
    public static func decode(_ data: Data, path: String) throws -> PackageManifest {
        let file = (path as NSString).lastPathComponent
        struct Header: Decodable { var format: String?; var formatVersion: Int? }
        guard let header = try? decoder.decode(Header.self, from: data) else {
            throw PackageError.corrupt(path: path, reason: "\(file) is not valid JSON")
        }
        guard header.format == formatName, let version = header.formatVersion else {
            throw PackageError.notAPackage(path: path, reason: "\(file) does not describe a Recur model package")
        }
        guard version <= currentFormatVersion else {
            throw PackageError.unsupportedVersion(path: path, found: version, supported: currentFormatVersion)
        }
        guard version >= oldestFormatVersion else {
            throw PackageError.retiredVersion(path: path, found: version, oldest: oldestFormatVersion)
        }
        let manifest: PackageManifest
        do {
            manifest = try decoder.decode(PackageManifest.self, from: data)
        } catch {
            throw PackageError.corrupt(path: path, reason: "\(file) does not match format version \(version): \(ModelPackage.describe(error))")
        }
        if let problem = manifest.inconsistency() {
            throw PackageError.corrupt(path: path, reason: "\(file): \(problem)")
        }
        return manifest
    }

    /// The first way the manifest's parts disagree, or nil when they agree.
    public func inconsistency() -> String? {
        // The model reads the measured columns and then the calendar's (`data.calendar`), and
        // gives one output per horizon step and quantile (`training.loss.quantile`).
        let window = data.window, columns = data.columns + (data.calendar?.columnNames ?? [])
        let outputs = window.outputCount * (config.training.loss.quantiles?.count ?? 1)
        guard data.frequencySeconds > 0 else { return "`data.frequency_seconds` must be > 0, got \(data.frequencySeconds)" }
        guard window.nPastSteps >= 1, window.horizon >= 1, window.stride >= 1 else {
            return "`data.window` needs n_past_steps, horizon and stride ≥ 1, got \(window.nPastSteps), \(window.horizon), \(window.stride)"
        }
        guard !data.columns.isEmpty else { return "`data.columns` is empty" }
        guard scaler.columns == columns else {
            return "`scaler.columns` \(scaler.columns) differ from `data.columns` and the calendar's \(columns)"
        }
        guard scaler.offset.count == columns.count, scaler.scale.count == columns.count else {
            return "`scaler` has \(scaler.offset.count) offsets and \(scaler.scale.count) scales for \(columns.count) columns"
        }
        for (k, c) in columns.enumerated() {
            guard scaler.offset[k].isFinite else { return "`scaler.offset` of \(c) is \(scaler.offset[k]), not a finite number" }
            guard scaler.scale[k].isFinite, scaler.scale[k] != 0 else {
                return "`scaler.scale` of \(c) is \(scaler.scale[k]); a scale must be finite and non-zero"
            }
        }
        let arch = architecture
        let (inputs, o1) = window.nPastSteps.multipliedReportingOverflow(by: columns.count)
        guard !o1 else { return "`data.window.n_past_steps` \(window.nPastSteps) is too large" }
        guard arch.inputSteps == window.timesteps else {
            return "`architecture.input_steps` is \(arch.inputSteps), but the window (n_past_steps \(window.nPastSteps), layout \(window.layout.rawValue)) gives \(window.timesteps) timesteps"
        }
        let (archInputs, o2) = arch.inputSteps.multipliedReportingOverflow(by: arch.inputFeatures)
        guard !o2, archInputs == inputs else {
            return "the architecture takes \(arch.inputSteps) × \(arch.inputFeatures) inputs per sample, but the window gives n_past_steps \(window.nPastSteps) × \(columns.count) columns = \(inputs)"
        }
        guard let first = arch.layers.first, let last = arch.layers.last else { return "`architecture.layers` is empty" }
        guard first.inputSize == arch.inputFeatures else {
            return "layer \(first.name) takes \(first.inputSize) features per step, the architecture's input has \(arch.inputFeatures)"
        }
        for (a, b) in zip(arch.layers, arch.layers.dropFirst()) where b.inputSize != a.units {
            return "layer \(b.name) takes \(b.inputSize) features, but the layer before it (\(a.name)) gives \(a.units)"
        }
        guard last.units == outputs else {
            let quantiles = config.training.loss.quantiles.map { " × \($0.count) quantiles" } ?? ""
            return "the last layer (\(last.name)) gives \(last.units) outputs, but the window (horizon \(window.horizon), strategy \(window.strategy.rawValue))\(quantiles) needs \(outputs)"
        }
        if let members = ensemble?.members {
            guard (1...Ensemble.maxMembers).contains(members.count) else {
                return "`ensemble.members` has \(members.count) members; an ensemble has 1 to \(Ensemble.maxMembers)"
            }
            for (k, m) in members.enumerated() where m.weights != Ensemble.weightsFile(member: k) {
                return "`ensemble.members[\(k)].weights` is \"\(m.weights)\", expected \"\(Ensemble.weightsFile(member: k))\""
            }
        }
        return nil
    }
}
