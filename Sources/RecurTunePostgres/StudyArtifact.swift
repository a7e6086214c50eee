import CZlib
import Crypto
import Foundation

/// A model package folder as one compressed blob, for the database: an archive of its files
/// (`RECURPKG1\n`, then per file, sorted by path: `<relative path>\t<byte count>\n<bytes>`),
/// zlib-compressed, with the archive's SHA-256 (hex) and size to check it on the way out.
public struct StudyArtifact: Sendable, Equatable {
    /// The `format` recorded beside the blob.
    public static let format = "recur-package-archive-1+zlib"
    static let magic = Array("RECURPKG1\n".utf8)

    public var compressed: [UInt8]
    /// SHA-256 of the uncompressed archive, lowercase hex.
    public var sha256: String
    /// Bytes of the uncompressed archive.
    public var rawSize: Int

    public init(compressed: [UInt8], sha256: String, rawSize: Int) {
        self.compressed = compressed
        self.sha256 = sha256
        self.rawSize = rawSize
    }

    /// Has `write` write the package into a temporary folder, then archives it.
    public static func make(_ write: (String) throws -> Void) throws -> StudyArtifact {
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("recur-artifact-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temp) }
        let folder = temp.appendingPathComponent("package").path
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        try write(folder)
        return try archive(folder: folder)
    }

    /// Archives and compresses the files under `folder`.
    public static func archive(folder: String) throws -> StudyArtifact {
        let fm = FileManager.default
        var files: [String] = []
        guard let walker = fm.enumerator(atPath: folder) else { throw ArtifactError("cannot read the package folder \(folder)") }
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: folder + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(relative) }
        }
        var raw = magic
        for relative in files.sorted() {
            guard let data = fm.contents(atPath: folder + "/" + relative) else { throw ArtifactError("cannot read \(folder)/\(relative)") }
            raw += Array("\(relative)\t\(data.count)\n".utf8)
            raw += data
        }
        var length = compressBound(uLong(raw.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = compress2(&out, &length, raw, uLong(raw.count), 6)
        guard status == Z_OK else { throw ArtifactError("zlib compress failed (\(status))") }
        return StudyArtifact(compressed: Array(out.prefix(Int(length))), sha256: hex(SHA256.hash(data: raw)), rawSize: raw.count)
    }

    /// Decompresses, checks the checksum, and writes the package's files into a new folder at
    /// `destination` (through a temporary sibling and a rename: all or nothing).
    public func extract(to destination: String) throws {
        var length = uLong(rawSize)
        var raw = [UInt8](repeating: 0, count: max(rawSize, 1))
        let status = uncompress(&raw, &length, compressed, uLong(compressed.count))
        guard status == Z_OK, Int(length) == rawSize else { throw ArtifactError("the stored package does not decompress (zlib \(status)): it is damaged") }
        raw = Array(raw.prefix(rawSize))
        guard Self.hex(SHA256.hash(data: raw)) == sha256 else {
            throw ArtifactError("the stored package's SHA-256 does not match its checksum \(sha256): it is damaged")
        }
        guard raw.starts(with: Self.magic) else { throw ArtifactError("the stored package is not a \(Self.format) archive") }
        let fm = FileManager.default
        if fm.fileExists(atPath: destination) { throw ArtifactError("\(destination) exists: name a new folder for the package") }
        let parent = (destination as NSString).deletingLastPathComponent
        let temp = (parent.isEmpty ? "." : parent) + "/.\((destination as NSString).lastPathComponent).partial-\(getpid())"
        try? fm.removeItem(atPath: temp)
        try fm.createDirectory(atPath: temp, withIntermediateDirectories: true)
        var i = Self.magic.count
        while i < raw.count {
            guard let newline = raw[i...].firstIndex(of: UInt8(ascii: "\n")),
                  let header = String(bytes: raw[i..<newline], encoding: .utf8),
                  let tab = header.lastIndex(of: "\t"), let size = Int(header[header.index(after: tab)...]),
                  newline + 1 + size <= raw.count else { throw ArtifactError("the stored package archive is malformed") }
            let relative = String(header[..<tab])
            guard !relative.hasPrefix("/"), !relative.split(separator: "/").contains("..") else {
                throw ArtifactError("the stored package names a file outside its folder: \(relative)")
            }
            let path = temp + "/" + relative
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard fm.createFile(atPath: path, contents: Data(raw[(newline + 1)..<(newline + 1 + size)])) else {
                throw ArtifactError("cannot write \(path)")
            }
            i = newline + 1 + size
        }
        try fm.moveItem(atPath: temp, toPath: destination)
    }

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}

/// A package that cannot be archived or restored.
public struct ArtifactError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
