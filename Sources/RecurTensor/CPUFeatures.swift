import Foundation

/// What the processor offers, read from `/proc/cpuinfo` (Linux, x86-64 and arm64).
public struct CPUFeatures: Sendable {
    /// `x86_64` or `aarch64` (or whatever `uname -m` would say).
    public var architecture: String
    /// `GenuineIntel`, `AuthenticAMD`, the arm64 `CPU implementer`, or empty.
    public var vendor: String
    /// The model name, when the kernel reports one.
    public var modelName: String
    /// The feature flags (`avx2`, `avx512f`, `asimd`, `sve`, ...).
    public var flags: Set<String>
    /// Logical processors online.
    public var logicalCores: Int

    /// Reads this machine's features; empty flags where `/proc/cpuinfo` is unreadable.
    public static let current: CPUFeatures = {
        #if arch(x86_64)
        let arch = "x86_64"
        #elseif arch(arm64)
        let arch = "aarch64"
        #else
        let arch = "other"
        #endif
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return CPUFeatures(architecture: arch, cpuinfo: text,
                           logicalCores: ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Parses the first processor's block of a `/proc/cpuinfo` text.
    public init(architecture: String, cpuinfo: String, logicalCores: Int) {
        self.architecture = architecture
        self.logicalCores = logicalCores
        var vendor = "", model = "", flags = Set<String>()
        for line in cpuinfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            switch key {
            case "vendor_id", "CPU implementer": if vendor.isEmpty { vendor = value }
            case "model name": if model.isEmpty { model = value }
            case "flags", "Features": if flags.isEmpty { flags = Set(value.split(separator: " ").map(String.init)) }
            default: break
            }
        }
        self.vendor = vendor
        self.modelName = model
        self.flags = flags
    }

    /// The OpenBLAS core type whose kernels suit these features, or `nil` to let OpenBLAS
    /// decide. The choice is by instruction set, not by model number, so that processors
    /// newer than the installed OpenBLAS (which it would misdetect as `Prescott` or
    /// `ARMV8`) still get vector kernels:
    /// - x86-64 with AVX-512 F/BW/DQ/VL: `SkylakeX` (measured fastest here, also on AMD Zen 5);
    /// - x86-64 with AVX2 and FMA: `Haswell`; with AVX only: `Sandybridge`;
    /// - arm64 with Advanced SIMD: `NEOVERSEN1` (NEON kernels that run on any ARMv8.2 core).
    public var suggestedOpenBLASCoreType: String? {
        switch architecture {
        case "x86_64":
            if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
            if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
            if flags.contains("avx") { return "Sandybridge" }
            return nil
        case "aarch64":
            return flags.contains("asimd") ? "NEOVERSEN1" : nil
        default:
            return nil
        }
    }
}
