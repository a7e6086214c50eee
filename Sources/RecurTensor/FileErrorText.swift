import Foundation

/// Plain words for a failed file operation, instead of Foundation's
/// "The operation could not be completed. (NSCocoaErrorDomain error 640.)": the system's own
/// reason ("No space left on device", "Is a directory", "Permission denied") when Foundation
/// kept it, or a sentence for the Cocoa error code. Callers add the path.
public enum FileErrorText {
    /// The reason `error` happened, in lower case, without the path.
    public static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? POSIXError { return reason(errno: posix.code.rawValue) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return reason(errno: Int32(underlying.code))
        }
        if ns.domain == NSPOSIXErrorDomain { return reason(errno: Int32(ns.code)) }
        if let posix = error as? POSIXError { return reason(errno: posix.code.rawValue) }
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileWriteOutOfSpace: return "the disk is full (no space left on device)"
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
            case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
            case .fileWriteVolumeReadOnly: return "the file system is read-only"
            case .fileWriteFileExists: return "a file of that name already exists"
            case .fileReadCorruptFile: return "the file is damaged"
            case .fileReadTooLarge: return "the file is too large to read"
            case .fileReadInapplicableStringEncoding, .fileWriteInapplicableStringEncoding: return "the file is not UTF-8 text"
            case .fileReadUnknown, .fileWriteUnknown, .fileLocking: return "the operation failed (\(ns.code))"
            default: break
            }
        }
        return ns.localizedDescription
    }

    /// The system's text for `errno`, lower-cased at the start ("no space left on device").
    public static func reason(errno code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
