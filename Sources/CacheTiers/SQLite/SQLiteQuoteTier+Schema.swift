import GRDB

extension SQLiteQuoteTier {
  /// The schema, one migration per shipped change. A shipped migration is never edited: a
  /// database on someone's disk already ran it, so a change is always a new migration.
  ///
  /// Times are `Int64` microseconds since 1970 (as in ``QuoteEntryCodec``); symbols are the
  /// canonical text.
  static func makeMigrator() -> DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1-last-quote") { db in
      // The entry is the codec's bytes, so a new quote field needs no migration; received_at
      // is kept apart because trimming orders by it.
      try db.execute(
        sql: """
          CREATE TABLE last_quote(
            symbol TEXT PRIMARY KEY,
            entry BLOB NOT NULL,
            received_at INTEGER NOT NULL)
          """)
    }
    migrator.registerMigration("v2-tick-history") { db in
      // WITHOUT ROWID: the (symbol, as_of) key is the table's own b-tree, so one symbol's
      // history is one contiguous range, read and trimmed without a second lookup.
      try db.execute(
        sql: """
          CREATE TABLE tick(
            symbol TEXT NOT NULL,
            as_of INTEGER NOT NULL,
            price REAL NOT NULL,
            PRIMARY KEY(symbol, as_of)) WITHOUT ROWID
          """)
      // Trimming to the most recently stored symbols and the newest-first warm-up read walk
      // this instead of sorting every row.
      try db.execute(sql: "CREATE INDEX last_quote_by_recency ON last_quote(received_at)")
      // Deliberately no index on tick(as_of): retention deletes a (symbol, as_of) key range per
      // symbol instead, and such an index measured 40 % of the file (docs/PERFORMANCE.md).
    }
    return migrator
  }
}
