/// The optional bearer token: `Authorization: Bearer <token>`, compared in constant time (the
/// time depends on the expected token's length only, never on where the texts differ).
struct BearerToken: Sendable {
    let expected: [UInt8]

    init(_ token: String) { expected = Array(token.utf8) }

    /// Whether the `Authorization` header value carries the token.
    func accepts(_ header: String?) -> Bool {
        guard let header else { return false }
        let prefix = Array("Bearer ".utf8)
        let bytes = Array(header.utf8)
        guard bytes.count >= prefix.count, bytes[..<prefix.count].elementsEqual(prefix) else { return false }
        let given = bytes[prefix.count...]
        return Self.constantTimeEqual(Array(given), expected)
    }

    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for i in 0..<expected.count {
            let g: UInt8 = i < given.count ? given[i] : 0
            difference |= g ^ expected[i]
        }
        return difference == 0
    }
}
