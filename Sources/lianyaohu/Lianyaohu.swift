import ArgumentParser

/// 炼妖壶: market data for the eight immortals' debate, and the console to watch and steer it.
@main
struct Lianyaohu: AsyncParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "lianyaohu",
    abstract: "Market data for the eight immortals' debate, with an operator console.",
    version: version,
    subcommands: [
      DashCommand.self, FeedCommand.self, SnapshotCommand.self, QuoteCommand.self, ServeCommand.self, McpCommand.self,
      SimulateCommand.self, SaveLoopCommand.self, HistoryCommand.self, ProfileCommand.self,
    ],
    defaultSubcommand: DashCommand.self
  )
}
