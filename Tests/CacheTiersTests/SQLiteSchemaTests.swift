import Foundation
import GRDB
import MarketCore
import MarketTesting
import Testing

@testable import CacheTiers

/// Files the tier did not write itself: older schemas, newer schemas, not databases at all.
@Suite struct SQLiteSchemaTests {
  @Test func aFileFromTheFirstSchemaIsMigratedAndKeepsItsRows() async throws {
    let scratch = SQLiteScratch()
    let quote = sqliteQuote(Symbol("EURUSD=X"), 1.1731)
    try FileManager.default.createDirectory(
      atPath: (scratch.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    do {
      let old = try DatabasePool(path: scratch.path)
      try SQLiteQuoteTier.makeMigrator().migrate(old, upTo: "v1-last-quote")
      try await old.write { db in
        try db.execute(
          sql: "INSERT INTO last_quote(symbol, entry, received_at) VALUES (?, ?, ?)",
          arguments: [quote.symbol.text, Data(QuoteEntryCodec.encode(quote, compressAbove: .max)), 0])
      }
    }

    let tier = try scratch.tier()
    #expect(await tier.load([quote.symbol]) == [quote.symbol: quote])
    let applied = try await tier.pool.read { try SQLiteQuoteTier.makeMigrator().appliedMigrations($0) }
    #expect(applied == ["v1-last-quote", "v2-tick-history", "v3-history-profiles"])
    tier.store([sqliteQuote(quote.symbol, 1.1745, asOf: 1_764_374_500)])
    await tier.flush()
    #expect(await tier.history([quote.symbol], limit: 5)[quote.symbol]?.map(\.price) == [1.1745])
  }

  @Test func aFileFromANewerSchemaIsRefusedByName() throws {
    let scratch = SQLiteScratch()
    do { _ = try scratch.tier() }
    do {
      let newer = try DatabasePool(path: scratch.path)
      var migrator = SQLiteQuoteTier.makeMigrator()
      migrator.registerMigration("v3-from-the-future") { db in try db.execute(sql: "CREATE TABLE future(x)") }
      try migrator.migrate(newer)
    }
    #expect(throws: SQLiteTierError.newerSchema(path: scratch.path, unknownMigrations: ["v3-from-the-future"])) {
      try scratch.tier()
    }
    let message = SQLiteTierError.newerSchema(path: scratch.path, unknownMigrations: ["v3-from-the-future"]).description
    #expect(message.contains(scratch.path))
  }

  @Test func aFileOfGarbageIsAClearErrorNamingIt() throws {
    let scratch = SQLiteScratch()
    try FileManager.default.createDirectory(
      atPath: (scratch.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let garbage = Data(String(repeating: "these are not the pages you are looking for\n", count: 200).utf8)
    try garbage.write(to: URL(fileURLWithPath: scratch.path))

    #expect(throws: SQLiteTierError.notADatabase(path: scratch.path)) { try scratch.tier() }
    let message = SQLiteTierError.notADatabase(path: scratch.path).description
    #expect(message.contains(scratch.path))
    #expect(message.contains("not an SQLite database"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path)) == garbage, "left as it was")
  }

  @Test func aPathThatCannotBeADirectoryIsAClearError() throws {
    let scratch = SQLiteScratch()
    try FileManager.default.createDirectory(at: scratch.directory, withIntermediateDirectories: true)
    // A file where the database's directory should be.
    try Data("x".utf8).write(to: scratch.directory.appendingPathComponent("state"))
    #expect {
      try scratch.tier()
    } throws: { error in
      guard case .cannotCreateDirectory(let path, _) = error as? SQLiteTierError else { return false }
      return path == scratch.path
    }
  }
}
