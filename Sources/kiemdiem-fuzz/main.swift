import Foundation

#if FUZZING
// SwiftPM links every executable with `main` aliased to this module's entry point (so
// libFuzzer's own `main` cannot be used, and -parse-as-library leaves that alias undefined):
// the entry point hands the command line to libFuzzer's driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ body: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt
var argc = CommandLine.argc
var argv = Optional(CommandLine.unsafeArgv)
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
#else
// Without libFuzzer (a normal `swift build`): runs files through the same fuzz bodies, e.g. to
// replay a crash input. Usage: kiemdiem-fuzz request|csv|yaml FILE...
let args = CommandLine.arguments.dropFirst()
guard let name = args.first, let body = fuzzBody(name) else {
    FileHandle.standardError.write(Data("usage: kiemdiem-fuzz request|csv|yaml FILE...\n".utf8))
    exit(2)
}
for path in args.dropFirst() {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
        exit(2)
    }
    print("\(body(data) ? "accepted" : "rejected")  \(path)")
}
#endif
