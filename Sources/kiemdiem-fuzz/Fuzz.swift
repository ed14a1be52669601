import Foundation
import KiemDiemTesting

// The libFuzzer harness (fuzz/run.sh builds it with -sanitize=fuzzer -DFUZZING). The target is
// chosen by KIEMDIEM_FUZZ_TARGET (request | csv | yaml), read once; the bodies are in
// KiemDiemTesting/FuzzEntry.swift so the corpus test runs exactly the same code.

/// The fuzz body for a target name.
func fuzzBody(_ name: String) -> (@Sendable (Data) -> Bool)? {
    switch name {
    case "request": FuzzEntry.handleRequest
    case "csv": FuzzEntry.importCSV
    case "yaml": FuzzEntry.parsePlan
    default: nil
    }
}

private let selected: @Sendable (Data) -> Bool = {
    let name = ProcessInfo.processInfo.environment["KIEMDIEM_FUZZ_TARGET"] ?? ""
    guard let body = fuzzBody(name) else {
        FileHandle.standardError.write(Data("KIEMDIEM_FUZZ_TARGET must be request, csv or yaml (got '\(name)')\n".utf8))
        exit(2)
    }
    return body
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = selected(Data(bytes: data, count: size))
    return 0
}
