// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "kiemdiem",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kiemdiemd", targets: ["kiemdiemd"]),
        .executable(name: "kiemdiemctl", targets: ["kiemdiemctl"]),
        .executable(name: "kiemdiem-worker", targets: ["kiemdiem-worker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        // Metrics: the swift-metrics API and a Prometheus registry behind it, served on the HTTP server.
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        // The committee's page (and /metrics): Hummingbird 2 on SwiftNIO; tokens and links: swift-crypto.
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        // STARTTLS in the worker's SMTP channel.
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        // Property-based tests of the rating rules (test targets only).
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
    ],
    targets: [
        // libzmq, found through pkg-config; `apt-get install libzmq3-dev` provides it.
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),

        // The domain: pure, no I/O, never reads a clock.
        .target(name: "KiemDiemCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Wire contracts shared by the daemon and kiemdiemctl.
        .target(name: "KiemDiemWire", dependencies: ["KiemDiemCore"]),
        // SQLite through GRDB; the only module that imports GRDB.
        .target(name: "KiemDiemStore", dependencies: [
            "KiemDiemCore", "KiemDiemWire", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The campaign engine and every command's server side: no sockets, no systemd, no clock.
        .target(name: "KiemDiemEngine", dependencies: [
            "KiemDiemCore", "KiemDiemWire", "KiemDiemStore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The page's HTML and stylesheet, for the daemon's page and `kiemdiemctl report --format html`.
        .target(name: "KiemDiemPages", dependencies: ["KiemDiemCore", "KiemDiemWire"]),
        // The committee's web page: pages, live events, letters' links, /metrics (Hummingbird 2).
        .target(name: "KiemDiemWeb", dependencies: [
            "KiemDiemCore", "KiemDiemWire", "KiemDiemStore", "KiemDiemEngine", "KiemDiemPages",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The process around the engine: the reactor and its sockets, config, systemd, metrics.
        .target(name: "KiemDiemDaemon", dependencies: [
            "KiemDiemCore", "KiemDiemWire", "KiemDiemStore", "KiemDiemEngine", "ZeroMQ",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            "KiemDiemWeb",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        // The stderr log handler of the daemon and the worker: journald priority prefixes, live level.
        .target(name: "KiemDiemLogging", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(name: "KiemDiemClient", dependencies: ["KiemDiemWire", "ZeroMQ"]),
        // Job handling and delivery channels (spool, SMTP, webhook), message templates.
        .target(name: "KiemDiemWorker", dependencies: [
            "KiemDiemWire", "KiemDiemClient", "ZeroMQ",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
        ], resources: [
            // The default letters, inside the binary (config/templates links here); a directory
            // given with --templates overrides any of them.
            .embedInCode("Templates"),
        ]),
        .executableTarget(name: "kiemdiem-worker", dependencies: [
            "KiemDiemWorker", "KiemDiemWire", "KiemDiemClient", "KiemDiemLogging",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "kiemdiemd", dependencies: [
            "KiemDiemDaemon", "KiemDiemWire", "KiemDiemLogging",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "kiemdiemctl", dependencies: [
            "KiemDiemClient", "KiemDiemWire", "KiemDiemCore", "ZeroMQ", "KiemDiemPages",
            // `check`: the daemon's commands on an in-memory database, no daemon needed.
            "KiemDiemEngine", "KiemDiemStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            // ctl.yaml, the client's configuration file.
            .product(name: "Yams", package: "Yams"),
        ]),

        // Release-mode measurements (make bench).
        .executableTarget(name: "kiemdiem-bench", dependencies: [
            "KiemDiemCore", "KiemDiemEngine", "KiemDiemStore", "KiemDiemWire", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // libFuzzer harness for the request decoder and the CSV and YAML importers (fuzz/run.sh).
        .executableTarget(name: "kiemdiem-fuzz", dependencies: ["KiemDiemCore", "KiemDiemWire", "KiemDiemTesting"]),

        // The independent oracles of the rating rules and of the schedule, and a CSV reader apart
        // from the product's. They depend on none of the product's modules (Yams only), so they
        // cannot borrow the code they check.
        .target(name: "KiemDiemOracles", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Test support shipped in no executable but the fuzzer: fixtures shared by the test
        // targets, the fuzz entry points, a command that exists only for tests.
        .target(name: "KiemDiemTesting", dependencies: [
            "KiemDiemCore", "KiemDiemWire", "KiemDiemStore", "KiemDiemEngine",
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "KiemDiemCoreTests", dependencies: ["KiemDiemCore"]),
        .testTarget(name: "KiemDiemWireTests", dependencies: ["KiemDiemWire", "KiemDiemTesting", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "KiemDiemStoreTests", dependencies: ["KiemDiemStore", "KiemDiemWire", "KiemDiemCore", "KiemDiemTesting",
                                                       .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "KiemDiemClientTests", dependencies: ["KiemDiemClient", "KiemDiemWire", "ZeroMQ"]),
        .testTarget(name: "KiemDiemDaemonTests", dependencies: ["KiemDiemDaemon", "KiemDiemEngine", "KiemDiemStore", "KiemDiemWire"]),
        .testTarget(name: "KiemDiemEngineTests", dependencies: [
            "KiemDiemEngine", "KiemDiemDaemon", "KiemDiemStore", "KiemDiemCore", "KiemDiemWire", "KiemDiemClient", "ZeroMQ", "KiemDiemTesting", "KiemDiemOracles",
            // WordingTests renders the engine's letters with the worker's templates, and the page and the report table.
            "KiemDiemWorker", "KiemDiemPages",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ], exclude: ["Fixtures"]),
        // Support/ and Fixtures/ hold helper scripts and recorded data the tests read by path.
        .testTarget(name: "IntegrationTests", dependencies: ["KiemDiemWire", "KiemDiemClient", "ZeroMQ", "KiemDiemOracles", "KiemDiemTesting"],
                    exclude: ["Support"]),
        .testTarget(name: "KiemDiemWorkerTests", dependencies: ["KiemDiemWorker", "KiemDiemWire", "ZeroMQ", .product(name: "Logging", package: "swift-log")],
                    exclude: ["Support"]),
    ]
)

// One set of compiler settings for every Swift target (Swift 6 language mode: complete
// concurrency checking): explicit `any`, and imports that must name every module used.
let sharedSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + sharedSwiftSettings
}
