import Foundation
import KiemDiemDaemon
import KiemDiemEngine
import KiemDiemStore
import KiemDiemWire
import Testing

/// The configuration keys, declared once: every key reads from the file, the environment and a
/// flag alike; a bad value names where it came from; a reload tells live keys from the others.
@Suite(.timeLimit(.minutes(5))) struct ConfigTests {
    @Test func everyKeyHasOneEnvironmentVariableAndAHelpLine() throws {
        let names = DaemonConfig.keys.map(\.name)
        #expect(Set(names).count == names.count)
        for key in DaemonConfig.keys {
            #expect(!key.help.isEmpty, "\(key.name)")
            #expect(key.environmentVariable == "KIEMDIEM_" + key.name.uppercased().replacingOccurrences(of: ".", with: "_"))
        }
        #expect(Set(DaemonConfig.keys.filter(\.live).map(\.name))
                == ["log_level", "events.heartbeat", "events.retention", "jobs.lease", "jobs.max_attempts", "jobs.backoff", "jobs.backoff_max",
                    "jobs.worker_timeout", "jobs.heartbeat", "limits.import_idle"])
    }

    @Test func theFileThenTheEnvironmentThenFlagsAndErrorsNameTheOrigin() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("k.yaml").path
        try "timezone: UTC\nclock:\n  mode: simulated\n  start: 2022-11-01T08:00:00+07:00\njobs:\n  lease: 45s\ndelivery:\n  units: 'gc:smtp'\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let c = try DaemonConfig.load(file: file, environment: ["KIEMDIEM_JOBS_LEASE": "1m", "KIEMDIEM_EVENTS_RETENTION": "400d"],
                                      overrides: ["jobs.lease=2m"])
        #expect(c.timezone == "UTC" && c.clockMode == .simulated && c.clockStart == Date(timeIntervalSince1970: 1_667_264_400))
        #expect(c.jobs.lease == .seconds(120) && c.eventRetention == .seconds(400 * 86400) && c.delivery.byUnit == ["gc": .smtp])
        #expect { try DaemonConfig.load(file: file, environment: ["KIEMDIEM_JOBS_MAX_ATTEMPTS": "0"], overrides: []) } throws: {
            "\($0)" == "environment KIEMDIEM_JOBS_MAX_ATTEMPTS: jobs.max_attempts: '0' must be a number from 1 to 1000"
        }
        #expect { try DaemonConfig.load(file: file, environment: [:], overrides: ["delivery.default=fax"]) } throws: {
            "\($0)" == "--set delivery.default: delivery.default: 'fax' must be spool, smtp, sendmail or webhook"
        }
        #expect { try DaemonConfig.load(file: file, environment: [:], overrides: ["jobs.heartbeat=10s"]) } throws: {
            "\($0)".contains("jobs.worker_timeout: must be longer than jobs.heartbeat")
        }
    }

    @Test func aReloadNamesTheKeysThatWaitForARestart() throws {
        let before = try DaemonConfig.load(file: nil, environment: [:], overrides: [])
        let after = try DaemonConfig.load(file: nil, environment: [:], overrides: ["jobs.lease=1m", "log_level=debug", "endpoints.jobs=tcp://127.0.0.1:9",
                                                                                  "delivery.units=gc:webhook", "timezone=UTC"])
        #expect(before.restartOnlyChanges(to: after) == ["timezone", "endpoints.jobs", "delivery.units"])
        #expect(before.restartOnlyChanges(to: before).isEmpty)
        #expect(before.synchronous == .full)
        #expect(try DaemonConfig.load(file: nil, environment: ["KIEMDIEM_SQLITE_SYNCHRONOUS": "normal"], overrides: []).synchronous == .normal)
        #expect { try DaemonConfig.load(file: nil, environment: [:], overrides: ["sqlite.synchronous=off"]) } throws: {
            "\($0)" == "--set sqlite.synchronous: sqlite.synchronous: 'off' must be full or normal"
        }
    }
}
