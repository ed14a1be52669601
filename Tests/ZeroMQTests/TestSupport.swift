import Foundation
import ZeroMQ

/// UTF-8 bytes of `text` as a frame.
func frame(_ text: String) -> Data { Data(text.utf8) }

/// Frames decoded as UTF-8, for readable expectations.
func texts(_ frames: [Data]?) -> [String]? {
    frames?.map { String(decoding: $0, as: UTF8.self) }
}

/// A unique inproc endpoint, so tests running in parallel never collide.
func uniqueInproc(_ name: String) -> String { "inproc://\(name)-\(UUID().uuidString)" }

/// Generous upper bound (ms) for anything that should happen "now" on loopback; tests only
/// wait this long when the feature under test is broken.
let patienceMs: Int32 = 5_000

/// Binds to an ephemeral loopback TCP port and returns the concrete endpoint to connect to.
func bindLoopback(_ socket: Socket) throws -> String {
    try socket.bind("tcp://127.0.0.1:*")
    return try socket.lastEndpoint
}
