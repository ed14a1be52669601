import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct ClockCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clock", abstract: "Read the clock; move a simulated one.",
                                                    discussion: """
                                                        Moving the clock needs a daemon with clock.mode: simulated.

                                                        Examples:
                                                          kiemdiemctl clock
                                                          kiemdiemctl clock advance 7d
                                                          kiemdiemctl clock set 2026-11-27T08:00:00+07:00
                                                        """,
                                                    subcommands: [Show.self, Advance.self, SetTime.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the daemon's clock.",
                                                        discussion: "Example: kiemdiemctl clock show")
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(Clock.self, NoArgs()) { printClock($0) } }
    }

    struct Advance: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a simulated clock forward, firing what falls due in order.",
                                                        discussion: "Example: kiemdiemctl clock advance 12h")
        @Argument(help: ArgumentHelp("How far: a number with s, m, h or d.", discussion: "e.g. 90s, 15m, 12h, 7d")) var duration: String
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(ClockAdvance.self, DurationArgs(duration: duration)) { printClock($0) } }
    }

    struct SetTime: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Move a simulated clock to an instant (forward only).",
                                                        discussion: "Example: kiemdiemctl clock set 2026-11-27T08:00:00+07:00")
        @Argument(help: ArgumentHelp("The instant: ISO 8601 with offset.", discussion: "e.g. 2026-11-27T08:00:00+07:00")) var time: String
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(ClockSet.self, TimeArgs(time: time)) { printClock($0) } }
    }
}

func printClock(_ c: ClockInfo) {
    print("\(c.mode) \(c.now) (\(c.timezone))" + (c.fired.map { "; \($0) event(s) fired" } ?? ""))
}
