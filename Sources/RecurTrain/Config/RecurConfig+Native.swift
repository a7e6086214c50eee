import RecurTensor

/// Writing a `RecurConfig` back in the native schema (its `schema`), with every default spelled out: for
/// showing the resolved config, for templates (which have no native text), and for the tuner,
/// which applies a trial's parameters to it like `--set` overrides.
extension RecurConfig {
    /// The config as a native document (every key present; paths as resolved): the one
    /// serialisation, for the echo, the manifest and the tuner.
    public func nativeValue() -> ConfigValue { ConfigValue(encoded).rebased(at: "") }

    /// The native document as indented JSON text.
    public func nativeJSON() -> String { nativeValue().prettyJSON() }

    /// This config with `parameters` (key path → value, e.g. a tuning trial's) applied like
    /// `--set` overrides, checked again.
    /// - Throws: `ConfigError` when a value does not fit its key.
    public func applying(_ parameters: [(name: String, value: SearchValue)]) throws -> RecurConfig {
        var tree = nativeValue()
        for p in parameters { tree = try ConfigOverride(p.name + "=" + p.value.description).apply(to: tree) }
        var config = try RecurConfig.decode(tree, file: sourceFile, baseDirectory: nil)
        config.format = format
        return config
    }
}

extension ConfigValue {
    /// Indented JSON text: objects one key a line, short arrays of scalars on one line.
    public func prettyJSON(indent: String = "") -> String {
        let inner = indent + "  "
        switch kind {
        case let .object(m):
            guard !m.isEmpty else { return "{}" }
            return "{\n" + m.map { inner + JSONText.quote($0.key) + ": " + $0.value.prettyJSON(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        case let .array(a):
            if a.allSatisfy(\.isScalar) { return description }
            return "[\n" + a.map { inner + $0.prettyJSON(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        default:
            return description
        }
    }
}
