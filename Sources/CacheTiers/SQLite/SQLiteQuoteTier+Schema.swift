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
    migrator.registerMigration("v3-history-profiles") { db in
      // One row per stored block: which provider's bars it holds and how many, so a block with
      // no bars (a holiday, a weekend of minute bars) is known to be empty rather than missing.
      // Loading a block is its row plus one key range of history_bar.
      try db.execute(
        sql: """
          CREATE TABLE history_block(
            symbol TEXT NOT NULL,
            interval TEXT NOT NULL,
            block_start INTEGER NOT NULL,
            block_end INTEGER NOT NULL,
            source TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            currency TEXT,
            time_zone TEXT,
            simulated INTEGER NOT NULL,
            bar_count INTEGER NOT NULL,
            PRIMARY KEY(symbol, interval, block_start)) WITHOUT ROWID
          """)
      // WITHOUT ROWID for the same reason as tick: a series is one contiguous key range,
      // read in order without a second lookup. Times are epoch seconds (bar starts).
      try db.execute(
        sql: """
          CREATE TABLE history_bar(
            symbol TEXT NOT NULL,
            interval TEXT NOT NULL,
            time INTEGER NOT NULL,
            open REAL NOT NULL,
            high REAL NOT NULL,
            low REAL NOT NULL,
            close REAL NOT NULL,
            adj_close REAL,
            volume REAL,
            PRIMARY KEY(symbol, interval, time)) WITHOUT ROWID
          """)
      // The unit of eviction: when the bars pass the cap, the series read least recently go
      // whole. last_used is epoch seconds of the last read or write.
      try db.execute(
        sql: """
          CREATE TABLE history_series(
            symbol TEXT NOT NULL,
            interval TEXT NOT NULL,
            last_used INTEGER NOT NULL,
            PRIMARY KEY(symbol, interval)) WITHOUT ROWID
          """)
      // Profiles as ProfileEntryCodec bytes, like last_quote: a new profile field needs no
      // migration.
      try db.execute(
        sql: """
          CREATE TABLE profile(
            symbol TEXT PRIMARY KEY,
            entry BLOB NOT NULL,
            received_at INTEGER NOT NULL)
          """)
      try db.execute(sql: "CREATE INDEX profile_by_recency ON profile(received_at)")
    }
    return migrator
  }
}
