import Foundation
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(5))) struct LifecycleTests {
    /// A receive blocked on another thread must come back with ETERM once the context is shut
    /// down. The receive timeout is only an upper bound: without a working shutdown the
    /// receive would return nil after `patienceMs` and the test would fail. The shutdown is
    /// sent from a thread of its own as soon as the socket is bound, so a busy cooperative pool
    /// (other suites run beside this one) cannot delay it past the timeout.
    @Test func shutdownInterruptsBlockedReceive() async throws {
        let context = try ZMQContext()
        let bound = DispatchSemaphore(value: 0)
        Thread {
            bound.wait()
            context.shutdown()
        }.start()

        async let outcome: Result<[Data]?, any Error> = withCheckedContinuation { continuation in
            // A dedicated thread, not a Task: the receive blocks, and the socket must stay on
            // the thread that created it.
            Thread {
                let result = Result<[Data]?, any Error> {
                    let socket = try Socket(context, .pull)
                    try socket.setReceiveTimeout(patienceMs)
                    try socket.bind(uniqueInproc("shutdown"))
                    bound.signal()
                    return try socket.receive()
                }
                continuation.resume(returning: result)
            }.start()
        }

        switch await outcome {
        case .success(let message):
            Issue.record("receive returned \(String(describing: message)) instead of throwing ETERM")
        case .failure(let error):
            let zmqError = try #require(error as? ZMQError)
            #expect(zmqError.isTerminated)
            #expect(!zmqError.isAgain && !zmqError.isInterrupted)
        }

        // After shutdown no new sockets can be created in the context either.
        let error = #expect(throws: ZMQError.self) { _ = try Socket(context, .pull) }
        #expect(error?.isTerminated == true)
    }
}
